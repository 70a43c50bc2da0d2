"""Words and symbols: the glossary and the notation, each kept in one place (diffusion_core.access.glossary, .notation).

Every term has an anchor (``#glossary-<name>``, :attr:`Term.anchor`): a link such as ``/glossary#glossary-score`` opens
the page at that word (``pages.accessible`` scrolls to it once Streamlit has drawn it), and the list of words at the
top jumps within the page. The symbols are a table (symbol, in plain text, meaning) that wraps on a phone.
"""

import streamlit as st

from diffusion_core.access.glossary import GLOSSARY
from diffusion_core.access.notation import SYMBOLS
from diffusion_core.access.site_map import page as site_page
from pages.app_entry import run_through_app

run_through_app()


def _cell(text: str) -> str:
    """Text for a markdown table's cell: its own bars escaped."""
    return text.replace("|", "\\|")


st.title(site_page("glossary").title)
st.markdown("Every technical word the app uses, in one plain sentence each, in the order the story meets them. "
            "Each page lists the words it uses under **Words on this page**, with a link here. The symbols the "
            "formulas use are at the end, under [Symbols](#symbols).")
alphabetical = sorted(GLOSSARY, key=lambda t: t.name.lower())
st.markdown("**Jump to a word:** " + " · ".join(f"[{t.name}](#{t.anchor})" for t in alphabetical))

st.header("Words")
for term in GLOSSARY:
    st.markdown(f'<a id="{term.anchor}"></a>**{term.name}**: {term.plain}', unsafe_allow_html=True)
    if term.formula:
        st.latex(term.formula)

st.header("Symbols", anchor="symbols")
st.markdown("The app writes the maths of Ho et al. 2020 (DDPM) everywhere. Papers after it use α_t for other things: "
            "in DDIM (Song et al. 2021) α_t is ᾱ_t here; in DPM-Solver (Lu et al. 2022) and VDM (Kingma et al. 2021) "
            "α_t is √ᾱ_t here, beside the same σ_t = √(1 − ᾱ_t). Where the app quotes such a formula it rewrites it "
            "in these symbols.")
rows = ["| Symbol | Read as | Meaning |", "|---|---|---|"]
rows += [f"| ${latex}$ | {_cell(plain)} | {_cell(meaning)} |" for latex, plain, meaning in SYMBOLS]
st.markdown("\n".join(rows))
