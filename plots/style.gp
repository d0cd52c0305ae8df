# style.gp: the look of every ncgsim plot; each script loads it, so restyle here.
#
# The scripts set the terminal (png, svg or pdf) and its size, then load this
# file, so everything below must work on any terminal. Edit and rerun
# `gnuplot all.gp` in a result folder to redraw its plots.

# Font for all text; the title is drawn a little larger.
set termoption font 'Sans,11'
set title font ',13'

# Okabe-Ito colours: told apart with the common forms of colour blindness.
# Line types 1-24 are the series of comparison plots, in scenario order (the
# reference scenario is black, and only it). Point types and, past eight,
# dashes (9-16) and dots (17-24) keep series apart in print too: up to 24
# scenarios never share a style.
set linetype 1 lc rgb '#000000' lw 2 pt 7 ps 1.1 dt solid
set linetype 2 lc rgb '#E69F00' lw 2 pt 5 ps 1.1 dt solid
set linetype 3 lc rgb '#56B4E9' lw 2 pt 9 ps 1.3 dt solid
set linetype 4 lc rgb '#009E73' lw 2 pt 11 ps 1.3 dt solid
set linetype 5 lc rgb '#0072B2' lw 2 pt 13 ps 1.3 dt solid
set linetype 6 lc rgb '#D55E00' lw 2 pt 15 ps 1.1 dt solid
set linetype 7 lc rgb '#CC79A7' lw 2 pt 3 ps 1.1 dt solid
set linetype 8 lc rgb '#B8A200' lw 2 pt 2 ps 1.1 dt solid
set linetype 9 lc rgb '#777777' lw 2 pt 6 ps 1.1 dt (8,4)
set linetype 10 lc rgb '#E69F00' lw 2 pt 4 ps 1.1 dt (8,4)
set linetype 11 lc rgb '#56B4E9' lw 2 pt 8 ps 1.3 dt (8,4)
set linetype 12 lc rgb '#009E73' lw 2 pt 10 ps 1.3 dt (8,4)
set linetype 13 lc rgb '#0072B2' lw 2 pt 12 ps 1.3 dt (8,4)
set linetype 14 lc rgb '#D55E00' lw 2 pt 14 ps 1.1 dt (8,4)
set linetype 15 lc rgb '#CC79A7' lw 2 pt 1 ps 1.3 dt (8,4)
set linetype 16 lc rgb '#B8A200' lw 2 pt 7 ps 0.8 dt (8,4)
set linetype 17 lc rgb '#777777' lw 2 pt 5 ps 0.8 dt (2,3)
set linetype 18 lc rgb '#E69F00' lw 2 pt 9 ps 0.9 dt (2,3)
set linetype 19 lc rgb '#56B4E9' lw 2 pt 11 ps 0.9 dt (2,3)
set linetype 20 lc rgb '#009E73' lw 2 pt 13 ps 0.9 dt (2,3)
set linetype 21 lc rgb '#0072B2' lw 2 pt 15 ps 0.8 dt (2,3)
set linetype 22 lc rgb '#D55E00' lw 2 pt 3 ps 0.8 dt (2,3)
set linetype 23 lc rgb '#CC79A7' lw 2 pt 2 ps 0.8 dt (2,3)
set linetype 24 lc rgb '#B8A200' lw 2 pt 6 ps 0.8 dt (2,3)
set linetype cycle 24

# Line styles of single-scenario plots, referred to by number:
#  21 median, 22 mean, 23 central 50% band, 24 central 90% band,
#  25 histogram bars, 26 mean marker, 27 5-95% range, 28 probability,
#  29 its 95% band, 30 reference line (zero difference, no change).
set style line 21 lc rgb '#0072B2' lw 2.5 dt solid
set style line 22 lc rgb '#000000' lw 1.5 dt (6,4)
set style line 23 lc rgb '#0072B2' lw 1
set style line 24 lc rgb '#56B4E9' lw 1
set style line 25 lc rgb '#56B4E9' lw 1
set style line 26 lc rgb '#D55E00' lw 2.5 dt solid
set style line 27 lc rgb '#E69F00' lw 1
set style line 28 lc rgb '#D55E00' lw 2.5 dt solid
set style line 29 lc rgb '#E69F00' lw 1
set style line 30 lc rgb '#555555' lw 1.5 dt (4,4)

# How opaque the bands are: the 50% band is drawn over the 90% band.
ncg_band50 = 0.55
ncg_band90 = 0.35
# Bands of comparison plots overlap, so they are much lighter.
ncg_band_compare = 0.12

set grid xtics ytics back lc rgb '#DDDDDD' lw 1 dt solid
set border 3 lc rgb '#444444'
set tics nomirror out scale 0.6
set key noautotitle
set key outside top center horizontal Left reverse samplen 2.5 spacing 1.1 maxrows 3
set style fill solid 1.0 noborder
