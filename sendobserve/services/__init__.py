"""Use cases shared by the CLI and the app: the one door to the data (Qt-free).

Each use case takes an open store (and plain arguments), does its work in one unit of
work and returns domain objects plus a ``Changes`` saying what it changed, so every open
screen can refresh only what it shows.
"""
