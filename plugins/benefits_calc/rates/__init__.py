"""Rates data files for the better-off calculator, one TOML file per tax year.

This folder is a package only so that setuptools ships the ``*.toml`` files
with the installed app (package-data ``"*" = ["*.toml"]``) and
``importlib.resources`` can find them. There is no code here.
"""
