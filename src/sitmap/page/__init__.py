"""Plain data the page shows, with no Streamlit import (unit-tested without a browser).

The view a URL asks for (:mod:`.viewstate`), the session's remembered state
(:mod:`.session`), the tables beside the map (:mod:`.tables`), the corridor workbench's
one measured model (:mod:`.workbench`) and uploaded layers (:mod:`.uploads`).
"""
