"""Pictures in and out: reading untrusted uploads safely, the one mapping between pixels and the model's range,
and the grids, enlargements and encodings every page shows.

``image_io`` decodes uploads and bundled photos (bounded, reduced, only the named formats); ``pixels`` maps uint8
pixels to [-1, 1] and back, for gray and colour; ``pictures`` tiles batches into grids, enlarges with crisp pixels
and encodes PNG and GIF; ``pixel_patch`` picks the patch of integers the forward page shows; ``player_data`` packs
frames and x_0 for the browser's player (data URIs, base64, a content id); ``pad_value`` carries the drawing
pad's picture and mask to and from the browser (base64 of raw bytes and a shape). Used by every act.
"""
