"""Streamlit pages: layout and widgets only; all computation lives in diffusion_core."""
