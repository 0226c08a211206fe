"""Rendering pages in headless Chromium, so tags that only JavaScript sets can be found and reported.

Rendering does I/O (a browser process, the network), so it lives outside `validators`; it hands the rendered
DOM to the same extraction and rules as the served HTML (`rendering.comparison`).
"""
