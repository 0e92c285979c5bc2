"""Sign-in: who is here (OpenID Connect through Streamlit's ``[auth]``), and their role.

With an identity provider configured, a visitor sees only a sign-in button until they
sign in; then the sidebar names them and their role, and their identity (email or subject)
saves everything in place of a typed name. Admins manage roles here. With no provider, the
sidebar says sitmap is a one-person tool on this machine.
"""

from __future__ import annotations

import streamlit as st

from sitmap.access import ROLES, Person, Role
from sitmap.errors import SitmapError
from sitmap.escaping import md_escape, plain_text
from sitmap.page import identity, texts
from sitmap.page.session import PageSession
from sitmap.panels.messages import problems_box
from sitmap.settings import admins
from sitmap.store import SketchStore


def sign_in_panel(store: SketchStore, session: PageSession) -> Person | None:
    """Who is signed in (None: one-person mode); stops the page until someone signs in."""
    found = identity.sign_in(
        st.user.to_dict(), session.typed_name, store, admins=admins(), known=session.person
    )
    if not found.configured:
        session.person = None
        st.sidebar.caption(texts.ONE_PERSON_NOTE)  # a note, not an alert: the layers stay in view
        return None
    if found.person is None:
        session.person = None
        st.subheader(texts.SIGN_IN_TITLE)
        st.write(texts.SIGN_IN_NOTE)
        if st.button(texts.SIGN_IN_BUTTON, type="primary"):
            st.login()
        st.stop()
    person = found.person
    assert person is not None  # st.stop() above ends the run
    session.person = person
    st.sidebar.markdown(
        md_escape(f"Signed in as {person.shown}, {person.role}"), help=texts.ROLES_HELP
    )
    if st.sidebar.button(texts.SIGN_OUT_BUTTON):
        session.person = None
        st.logout()
    return person


def roles_panel(store: SketchStore, person: Person | None) -> None:
    """An admin gives people roles (viewer, editor, admin); everyone's role is listed."""
    if person is None or person.role != "admin":
        return
    with st.sidebar.expander(texts.ROLES_TITLE):
        try:
            roles = store.roles()
        except SitmapError as err:
            problems_box(err, where="Roles cannot be read:")
            return
        for user, held in sorted(roles.items()):
            st.caption(md_escape(f"{user}: {held}"))
        with st.form("grant_role", border=False):
            user = st.text_input(texts.ROLE_USER_LABEL).strip().lower()
            role: Role = st.selectbox("Role", ROLES, index=1, format_func=plain_text)
            if st.form_submit_button("Give role") and user:
                try:
                    store.grant(user, role, by=person.id)
                except SitmapError as err:
                    problems_box(err, where="Role not given:")
                else:
                    st.rerun()
