"""The page's guards as plain data: which Host headers are answered, what a failure says."""

from __future__ import annotations

import re

import pytest

from sitmap.page import guard
from sitmap.settings import DEFAULT_ALLOWED_HOSTS, allowed_hosts

DEFAULT = allowed_hosts({})


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "127.0.0.1:8501", "localhost", "LOCALHOST:80", "localhost.", "[::1]:8501"],
)
def test_this_machine_is_answered_on_any_port(host: str) -> None:
    assert guard.host_allowed(host, DEFAULT)


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:8501",
        "localhost.evil.example",
        "127.0.0.1.nip.io",
        "10.0.0.5:8501",
        "[::2]:8501",
        "",
        " ",
        "localhost@evil.example",
        "localhost/x",
        "[::1",
    ],
)
def test_other_hosts_are_refused(host: str) -> None:
    assert not guard.host_allowed(host, DEFAULT)


def test_the_setting_names_the_hosts() -> None:
    assert DEFAULT == ("127.0.0.1", "localhost", "[::1]")
    assert DEFAULT_ALLOWED_HOSTS == "127.0.0.1,localhost,[::1]"
    team = allowed_hosts({"SITMAP_ALLOWED_HOSTS": " Sitmap.Example.org , 10.0.0.5 ,"})
    assert team == ("sitmap.example.org", "10.0.0.5")
    assert guard.host_allowed("sitmap.example.org:443", team)
    assert not guard.host_allowed("localhost:8501", team)
    assert guard.host_allowed("anything.example", allowed_hosts({"SITMAP_ALLOWED_HOSTS": "*"}))


def test_a_request_without_a_host_header_is_not_a_browser_and_passes() -> None:
    assert guard.host_allowed(None, DEFAULT)


def test_host_name_drops_the_port_only() -> None:
    assert guard.host_name("Example.ORG:8501") == "example.org"
    assert guard.host_name("[::1]:8501") == "[::1]"
    assert guard.host_name("::1") == "::1"


def test_a_failure_shows_a_short_random_id_and_no_details() -> None:
    ids = {guard.new_error_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(re.fullmatch(r"[0-9a-f]{8}", i) for i in ids)
    assert guard.error_message("0123abcd") == (
        "Something went wrong (error id 0123abcd); the server log has the details."
    )
