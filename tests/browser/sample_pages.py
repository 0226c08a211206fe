"""Pages the web, rendering and browser tests check (kept apart so every test uses the same bytes)."""

from __future__ import annotations

# SPEC §3.5, example 1: the Commission guidance's French information page on driving licences (Brussels).
EXAMPLE_1 = """<!DOCTYPE html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <title>Permis de conduire</title>
  <link rel="canonical" href="https://www.example.be/permis-de-conduire">
  <meta name="sdg-tag" content="sdg">
  <meta name="DC.ISO3166" content="BE">
  <meta name="DC.Location" content="BE1">
  <meta name="DC.Service" content="information">
  <meta name="policy-code" content="C2">
  <meta name="DC.Policy" content="acquiring and renewing a driving licence">
</head>
<body><p>Permis de conduire</p></body>
</html>
"""

# A Greek page written with the ISO code GR and lower-case codes: GR on line 8, el3 on line 9, c2 on line 11.
GR_LOWER_CASE = """<!DOCTYPE html>
<html lang="el">
<head>
  <meta charset="utf-8">
  <title>Άδεια οδήγησης</title>
  <link rel="canonical" href="https://www.example.gr/adeia">
  <meta name="sdg-tag" content="sdg">
  <meta name="DC.ISO3166" content="GR">
  <meta name="DC.Location" content="el3">
  <meta name="DC.Service" content="information">
  <meta name="policy-code" content="c2">
</head>
<body><p>Άδεια οδήγησης</p></body>
</html>
"""

# Tag values that would run script if a page put them into HTML unescaped.
HOSTILE = """<!DOCTYPE html>
<html lang="en">
<head>
  <title>x</title>
  <meta name="sdg-tag" content="<script>alert('marker')</script>">
  <meta name="DC.ISO3166" content='"><img src=x onerror=alert(1)>'>
  <meta name="DC.Service" content="information">
  <meta name="policy-code" content="</textarea><script>alert(2)</script>">
  <meta name="DC.Policy" content="<svg onload=alert(3)>">
</head>
</html>
"""

# All tags come from a script: the served HTML has none (SPEC §9 point 7).
SCRIPT_TAGS_PAGE = """<!DOCTYPE html>
<html>
<head>
  <meta charset="utf-8">
  <title>Rendered tags</title>
  <script src="/tags.js"></script>
</head>
<body><p>Tags come from tags.js.</p></body>
</html>
"""
SCRIPT_TAGS_JS = """
document.documentElement.lang = "fr";
for (const [name, content] of [
  ["sdg-tag", "sdg"], ["DC.ISO3166", "BE"], ["DC.Location", "BE1"], ["DC.Service", "information"],
  ["policy-code", "C2"], ["DC.Policy", "acquiring and renewing a driving licence"],
]) {
  const meta = document.createElement("meta");
  meta.name = name;
  meta.content = content;
  document.head.appendChild(meta);
}
"""

# Served with correct tags; a script changes the country afterwards.
SCRIPT_CHANGES_PAGE = EXAMPLE_1.replace(
    "</head>",
    '  <script>document.querySelector(\'meta[name="DC.ISO3166"]\').content = "FR";</script>\n</head>',
)

# Never settles: it keeps the network busy forever.
NEVER_SETTLES_PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>busy</title>
<script>setInterval(() => fetch("/poll?" + Math.random()), 100);</script>
</head><body>busy</body></html>
"""
