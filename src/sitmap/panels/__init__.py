"""The page's Streamlit panels: widgets only, one module per panel.

Each panel lays out widgets and calls ``sitmap.page`` for everything it shows (tables,
the workbench model, view state); ``app.py`` arranges the panels. Only ``app.py`` and this
package import Streamlit.
"""
