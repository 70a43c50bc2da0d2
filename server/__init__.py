"""The server process's own concerns, apart from what it draws (``pages/``) and what it computes (``diffusion_core``).

``memory`` gives freed memory back to the machine after a class leaves (an arena limit, a trimming thread);
``heap`` keeps Streamlit's collection after every run cheap (the imported heap frozen); ``shelf`` is the bounded,
thread-safe store every session of the server shares (the 2-D page's trained denoisers). Nothing here imports
Streamlit or the core: the core stays a library a notebook can use, and ``pages/`` holds pages (Streamlit's
legacy reading of a folder named ``pages`` lists every file in it; see ``pages/app_entry.py``).
"""
