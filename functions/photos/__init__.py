"""The photo function: checks, cleans and thumbnails the photos residents upload (issue 15).

Its own Lambda with its own layer of image libraries (``layers/images``), so no other function
packages or imports Pillow.
"""
