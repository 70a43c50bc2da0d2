"""Access for everyone: what makes the app readable without sight of colour or of the screen, and teachable.

``palette`` is the one set of class colours, chosen to stay apart under deuteranopia and protanopia and on the dark
background (the 2-D page and the walk through image space both draw with it), and the theme every chart and picture
draws with; ``alt_text`` words the text
alternative of every picture and plot from the values it shows (how much of the signal x_t keeps, which classes a
grid holds), so a screen reader hears what a sighted reader sees; ``lessons`` reads, checks and writes a lesson link
(settings fixed by a teacher, which controls stay visible, locked or hidden, and a short task), as strictly as every
other URL parameter; ``link_values`` is the one mechanism every page's link is read and written by (a table of its
parameters, values read strictly, one message for a refused value); ``site_map`` lists the app's pages once (title,
icon, file) for the navigation, the home page and ``presenter``, the scripted walk through the story for presenting
to a room; ``glossary`` holds one plain sentence
for every technical term a page uses, and ``notation`` the app's one set of symbols; ``teaching`` holds the teacher's
notes for a 45-minute lesson (per step: minutes, what to show, what to say, questions and their answers) and writes the
printable lesson plan; ``lesson_store`` keeps lessons on the server (one SQLite file every replica shares) behind short
links, with questions whose answers stay hidden until the teacher reveals them; ``share`` makes a link's QR code and
warns when students cannot reach the link's host. A room of plain data and words: it imports no other room, and any
room or page may use it.
"""
