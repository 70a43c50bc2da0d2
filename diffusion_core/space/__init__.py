"""Act 1, how large image space is: exact big-number arithmetic, never a float that may be off by one.

``image_space`` counts the images of a format (digit counts certified by ``certified_log``'s integer-only bounds
on logarithms, leading and trailing digits, the whole number); ``power_text_process`` writes huge powers out in a
worker process; ``space_facts`` holds the comparisons (sand, atoms, a universe of computers); ``image_index`` maps
every grayscale image to its exact index in image space and back; ``settings`` reads and writes the page's
shareable format; ``digit_chart`` draws the digits-against-pixels chart as a small SVG. Needs only the standard
library and numpy.
"""
