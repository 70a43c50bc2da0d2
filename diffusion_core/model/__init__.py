"""Act 3, the trained denoiser: the network, how it is trained, how it walks back from noise.

``unet`` is the class-conditional epsilon-predictor for any (C, H, W); ``samplers`` are DDPM, DDIM and DPM-Solver++
with classifier-free guidance; ``train`` is the resumable training command; ``data`` and ``emoji_data`` read the
training sets, ``shipped_data`` the copies of them the app ships (held-out images, training set, PCA);
``weights`` saves and loads the shipped, checksummed files and their ``onnx_twin`` (the same network run by ONNX
Runtime); ``kinds`` maps a model trained on finer labels (25 emoji kinds) to the ten prompts a reader asks for;
``sample`` writes sample sheets.
"""
