"""Words and symbols: the glossary and the notation, each in one place (diffusion_core.access.glossary, .notation)."""

import streamlit as st

from diffusion_core.access.glossary import GLOSSARY
from diffusion_core.access.notation import SYMBOLS
from diffusion_core.access.site_map import page as site_page
from pages.app_entry import run_through_app

run_through_app()

st.title(site_page("glossary").title)
st.markdown("Every technical word the app uses, in one plain sentence each, in the order the story meets them. "
            "Each page lists the words it uses under **Words on this page**, with a link here.")
for term in GLOSSARY:
    st.markdown(f'<a id="{term.anchor}"></a>**{term.name}**: {term.plain}', unsafe_allow_html=True)
    if term.formula:
        st.latex(term.formula)

st.markdown("### Symbols")
st.markdown("The app writes the maths of Ho et al. 2020 (DDPM) everywhere. Papers after it often write α_t for what is "
            "√ᾱ_t here, and σ_t for √(1 − ᾱ_t); where the app quotes such a formula it rewrites it in these symbols.")
for latex, plain, meaning in SYMBOLS:
    left, right = st.columns([2, 3])
    left.latex(latex)
    right.markdown(f"{plain}: {meaning}")
