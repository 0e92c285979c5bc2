"""Sign-in against a real OpenID Connect provider, owners and roles, two app replicas.

The provider is the npm package ``oidc-provider`` (tests/e2e/oidc/provider.mjs, installed by
``make assets``) on a loopback port, with three accounts: alice and bob (editors) and carol
(an admin, SITMAP_ADMINS). Two ``streamlit run app.py`` replicas on two ports share one
PostgreSQL database (a throwaway cluster, tests/store/pgserver.py) and one secrets file
naming the provider (``--secrets.files``). Each person signs in through the provider's own
login form in a browser context of their own.

Done when: alice and bob, signed in on different replicas, each see the other's corridor
after a rerun, cannot delete it, and the admin can.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from sitmap.errors import PermissionDeniedError
from sitmap.store.postgres import PostgresSketchStore
from tests.store import pgserver

from .conftest import ARTIFACTS, E2E_DIR, EXPECT_TIMEOUT_MS, StMap, is_local_request
from .server import REPO, free_port, start_streamlit, stop, wait_healthy

PROVIDER_SCRIPT = E2E_DIR / "oidc" / "provider.mjs"
CLIENT_ID = "sitmap-e2e"
ADMIN = "carol@example.org"
SAVED = "[data-testid='stSelectbox']"


def _required(reason: str) -> None:
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"CI is set but {reason}")
    pytest.skip(reason)


@dataclass(frozen=True)
class Team:
    """The provider, the two replicas and their shared database."""

    urls: tuple[str, str]
    database_url: str


def _start_provider(
    port: int, secret: str, redirects: list[str], log: Path
) -> subprocess.Popen[bytes]:
    node = shutil.which("node")
    if node is None:
        _required("node is not installed (the OpenID provider runs on Node)")
    if not (REPO / "node_modules" / "oidc-provider").is_dir():
        _required("node_modules/oidc-provider is missing: run `make assets`")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(node), str(PROVIDER_SCRIPT), str(port), CLIENT_ID, secret, *redirects],
            cwd=REPO,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 30
    url = f"http://127.0.0.1:{port}/.well-known/openid-configuration"
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1) as response:
            if response.status == 200:
                return process
        if process.poll() is not None:
            break
        time.sleep(0.2)
    stop(process)
    pytest.fail(f"the OpenID provider did not start: {log.read_text(errors='replace')[-2000:]}")
    raise AssertionError  # pytest.fail raises


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    try:
        pg = pgserver.start()
    except pgserver.PgUnavailableError as exc:
        _required(f"no PostgreSQL for the replicas: {exc}")
    database_url = pg.url(pg.create_database())
    ARTIFACTS.mkdir(exist_ok=True)
    ports = (free_port(), free_port())
    provider_port, secret = free_port(), secrets.token_urlsafe(24)
    redirects = [f"http://127.0.0.1:{p}/oauth2callback" for p in ports]
    provider = _start_provider(provider_port, secret, redirects, ARTIFACTS / "oidc-provider.log")
    folder = tmp_path_factory.mktemp("signin")
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{secret}"\n'
        f'server_metadata_url = "http://127.0.0.1:{provider_port}/.well-known/openid-configuration"\n'
        'client_kwargs = { prompt = "login" }\n',
        encoding="utf-8",
    )
    env = {**os.environ, "SITMAP_DATABASE_URL": database_url, "SITMAP_ADMINS": ADMIN}
    apps = []
    try:
        for index, port in enumerate(ports):
            log = ARTIFACTS / f"server-replica-{index + 1}.log"
            process = start_streamlit(
                REPO / "app.py",
                port=port,
                env=env,
                log=log,
                args=["--secrets.files", str(secrets_file)],
            )
            apps.append(process)
            reason = wait_healthy(process, port, timeout_s=60)
            if reason is not None:
                pytest.fail(
                    f"replica {index + 1} {reason}: {log.read_text(errors='replace')[-3000:]}"
                )
        yield Team(urls=tuple(f"http://127.0.0.1:{p}/" for p in ports), database_url=database_url)  # type: ignore[arg-type]
    finally:
        for process in apps:
            stop(process)
        stop(provider)
        pg.stop()


def _context(browser: Browser) -> BrowserContext:
    """A browser context of one's own (cookies apart), that never leaves this machine."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(EXPECT_TIMEOUT_MS)

    def block(route: Route) -> None:
        if is_local_request(route.request.url):
            route.continue_()
        else:
            route.abort("internetdisconnected")

    context.route("**/*", block)
    return context


@pytest.fixture
def people(browser: Browser, request: pytest.FixtureRequest) -> Iterator[dict[str, Page]]:
    contexts = {who: _context(browser) for who in ("alice", "bob", "carol")}
    pages = {who: context.new_page() for who, context in contexts.items()}
    yield pages
    report = getattr(request.node, "_report_call", None)
    if report is not None and report.failed:
        for who, page in pages.items():
            with contextlib.suppress(Exception):
                page.screenshot(path=str(ARTIFACTS / f"signin-{who}-failure.png"), full_page=True)
    for context in contexts.values():
        context.close()


def shown(text: str) -> re.Pattern[str]:
    """``text`` as the page shows it: Markdown text has a word joiner after each "@"
    (so no address becomes a link)."""
    return re.compile(re.escape(text).replace("@", "@\u2060?"))


def sign_in(page: Page, url: str, who: str) -> None:
    """Sign in through the provider's own login (and consent) form."""
    page.goto(url)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.locator("input[name=login]").fill(who)
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    signed = page.get_by_text("Signed in as ")
    consent = page.get_by_role("button", name="Continue")
    expect(signed.or_(consent)).to_be_visible()
    if consent.is_visible():
        consent.click()
    expect(page.get_by_text(shown(f"({who}@example.org), "))).to_be_visible()


def save_corridor(page: Page, name: str, points: list[tuple[float, float]]) -> None:
    st_map = StMap(page)
    st_map.wait(min_layers=10)
    st_map.draw_polyline(points)
    expect(page.get_by_text("Your drawing 1: measured against the situation")).to_be_visible()
    page.get_by_label("Corridor name").fill(name)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(f"Saved \u201c{name}\u201d (revision 1).")).to_be_visible()


def choose(page: Page, label_text: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``label_text``, as a person would: open
    it, type, press Enter. A rerun the map asks for (it reports its view) may close the
    list under the pointer, so this tries again until the box shows the option."""
    box = page.locator(SAVED).filter(has_text=label_text)
    field = box.locator("input")
    for _attempt in range(5):
        if field.input_value() == option:
            return
        box.click()
        page.keyboard.type(option[: min(20, len(option) - 1)])  # never the whole option:
        # the box shows what is typed, so only a real choice shows the whole of it
        page.keyboard.press("Enter")
        try:
            expect(field).to_have_value(option, timeout=5_000)
        except AssertionError:
            page.keyboard.press("Escape")
            continue
        return
    expect(field).to_have_value(option)


def choose_saved(page: Page, label: str) -> None:
    choose(page, "Saved corridors", label)


def test_two_people_on_two_replicas_see_each_others_corridors_only_owners_and_admins_delete(
    team: Team, people: dict[str, Page]
) -> None:
    first, second = team.urls
    alice, bob, carol = people["alice"], people["bob"], people["carol"]

    sign_in(alice, first, "alice")
    expect(alice.get_by_label("Your name (saved with sketches and uploads)")).to_have_count(0)
    save_corridor(alice, "Alice exit", [(0.40, 0.40), (0.48, 0.55), (0.58, 0.65)])

    sign_in(bob, second, "bob")  # the other replica: alice's corridor is there
    alices = "Alice exit (rev. 1, alice@example.org)"
    choose_saved(bob, alices)
    expect(bob.get_by_role("button", name="Delete", exact=True)).to_be_disabled()
    expect(
        bob.get_by_text(shown("Only its owner alice@example.org or an admin may change"))
    ).to_be_visible()
    save_corridor(bob, "Bob exit", [(0.35, 0.30), (0.45, 0.50)])

    alice.reload()  # a rerun on the first replica shows bob's corridor
    bobs = "Bob exit (rev. 1, bob@example.org)"
    choose_saved(alice, bobs)
    expect(alice.get_by_role("button", name="Delete", exact=True)).to_be_disabled()

    # the store refuses too, whichever replica asks
    with PostgresSketchStore(team.database_url) as store:
        (alices_rev,) = [r for r in store.list(kind="corridor") if r.name == "Alice exit"]
        with pytest.raises(
            PermissionDeniedError, match=r"only its owner alice@example\.org or an admin"
        ):
            store.delete(alices_rev.sketch_id, base_revision=1, author="bob@example.org")
        roles = store.roles()
        assert (roles["alice@example.org"], roles["bob@example.org"]) == ("editor", "editor")

    sign_in(carol, second, "carol")  # the admin deletes alice's corridor
    expect(carol.get_by_text(shown("carol@example.org), admin"))).to_be_visible()
    choose_saved(carol, alices)
    carol.get_by_role("button", name="Delete", exact=True).click()
    expect(
        carol.get_by_text("Deleted \u201cAlice exit\u201d (kept in its history).")
    ).to_be_visible()
    carol.screenshot(path=str(ARTIFACTS / "signin-admin-deleted.png"), full_page=True)

    alice.reload()
    box = alice.locator(SAVED).filter(has_text="Saved corridors")
    expect(box.locator("input")).to_have_value(bobs)
    with PostgresSketchStore(team.database_url) as store:
        assert [r.name for r in store.list(kind="corridor")] == ["Bob exit"]
        history = store.history(alices_rev.sketch_id)
    assert [(r.author, r.deleted) for r in history] == [
        ("alice@example.org", False),
        ("carol@example.org", True),
    ]


def notes_tab(page: Page, *, showing: str | None = None) -> None:
    """Open the "Notes and comments" tab (until it shows ``showing``: a new drawing's rerun
    may switch the page to the corridor workbench just after the click)."""
    tab = page.get_by_role("tab", name="Notes and comments")
    for _attempt in range(5):
        tab.click()
        if showing is None:
            return
        try:
            expect(page.get_by_text(showing)).to_be_visible(timeout=6_000)
        except AssertionError:  # the server opened another tab meanwhile: switch again
            page.get_by_role("tab", name="Events").click()
            continue
        return
    expect(page.get_by_text(showing or "")).to_be_visible()


def test_an_annotation_is_unverified_until_the_admin_checks_it_and_others_comment(
    team: Team, people: dict[str, Page]
) -> None:
    first, second = team.urls
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    note = "Crowd at the <b>gate</b>"

    sign_in(alice, first, "alice")
    frame = StMap(alice).wait(min_layers=10)
    frame.locator(".leaflet-draw-draw-marker").click()
    box = frame.locator(".leaflet-container").bounding_box()
    assert box is not None
    alice.mouse.click(box["x"] + 0.5 * box["width"], box["y"] + 0.5 * box["height"])
    notes_tab(alice, showing="Annotate the drawn Point")
    alice.get_by_label("Note (what is there)").fill(note)
    alice.get_by_label("Source (who reports it)").fill("WAFA")
    alice.get_by_role("button", name="Add annotation").click()
    expect(
        alice.get_by_text(f"Added the annotation \u201c{note}\u201d (unverified).")
    ).to_be_visible()
    expect(
        alice.get_by_text(shown(f"{note} \u2014 by alice@example.org, unverified"))
    ).to_be_visible()
    expect(StMap(alice).frame().locator(".sitmap-annotation")).to_have_count(1)
    expect(alice.get_by_role("button", name="Mark checked")).to_have_count(0)  # an editor

    sign_in(bob, second, "bob")
    notes_tab(bob)
    expect(
        bob.get_by_text(shown(f"{note} \u2014 by alice@example.org, unverified"))
    ).to_be_visible()
    expect(bob.get_by_role("button", name="Delete annotation")).to_have_count(0)
    choose(bob, "Comment on", f"{note} (annotation)")
    bob.get_by_label("Your comment").fill("Seen from the <i>east</i> too")
    bob.get_by_role("button", name="Add comment").click()
    said = shown(f"bob@example.org on {note} (annotation)")
    expect(bob.get_by_text(said)).to_be_visible()

    sign_in(carol, second, "carol")
    notes_tab(carol)
    carol.get_by_role("button", name="Mark checked").click()
    checked = shown(f"{note} \u2014 by alice@example.org, checked by carol@example.org")
    expect(carol.get_by_text(checked)).to_be_visible()
    panel = carol.get_by_role("tabpanel", name="Notes and comments")
    panel.get_by_text("History", exact=True).first.click()
    expect(
        panel.get_by_text(shown("revision 2: marked checked by carol@example.org"))
    ).to_be_visible()
    carol.screenshot(path=str(ARTIFACTS / "signin-annotation-checked.png"), full_page=True)

    alice.reload()  # the other replica shows the check and bob's comment
    notes_tab(alice)
    expect(alice.get_by_text(checked)).to_be_visible()
    expect(alice.get_by_text(said)).to_be_visible()
    choose(alice, "Show what was added by", "alice@example.org")
    expect(alice.get_by_text(said)).to_have_count(0)
