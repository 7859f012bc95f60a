"""Hooks the bonus plugin calls and other plugins implement (added through ``register_hookspecs``).

Documented in docs/bonus.md. Implement them with ``@hookimpl(optionalhook=True)`` so your plugin
still loads on a site that does not run the bonus plugin.
"""

from hub import hookspec


@hookspec
def bonus_rule_types(hub):
    """Return a list of plugins.bonus.rules.RuleType: extra checks a site turns on per scheme with extra_rules."""


@hookspec
def bonus_schemes(hub):
    """Return a list of plugins.bonus.SchemeSettings (or dicts with the same keys): schemes every site loading this plugin runs."""
