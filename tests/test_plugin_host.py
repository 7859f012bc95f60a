"""PluginHost.call goes through pluggy (so firstresult, tryfirst/trylast and hook wrappers behave as pluggy
documents) and still contains a plugin's failure: that plugin is disabled, the others get their turn."""

from __future__ import annotations

import types

import pytest

from hub import hookimpl
from hub.hookspecs import hookspec
from hub.plugins import PluginHookError, PluginHost


class Specs:
    @hookspec
    def shout(self, word):
        """Return the word, somehow."""

    @hookspec(firstresult=True)
    def answer(self, question):
        """Return an answer, or None to let the next plugin try."""


def plugin(name, **hooks):
    namespace = types.SimpleNamespace(name=name)
    for hook_name, function in hooks.items():
        marker = hookimpl
        if isinstance(function, tuple):
            options, function = function
            marker = hookimpl(**options)
        setattr(namespace, hook_name, marker(function))
    return namespace


def host_with(*plugins):
    specs = plugin("specs", register_hookspecs=lambda: Specs)
    return PluginHost.load([], extra=[specs, *plugins], core=False)


def test_firstresult_stops_at_the_first_answer_and_skips_a_plugin_that_raised():
    def broken(question):
        raise RuntimeError("no idea")

    asked = []
    host = host_with(plugin("a", answer=lambda question: asked.append("a")),  # None: let the next one try
                     plugin("b", answer=broken),
                     plugin("c", answer=lambda question: f"c says {question}"),
                     plugin("d", answer=lambda question: asked.append("d") or "d says"))
    [result] = host.call("answer", question="why")
    assert (result.plugin, result.value) == ("c", "c says why")
    assert asked == ["a"]  # d was never asked
    assert not host.is_enabled("b") and "answer raised RuntimeError: no idea" in host.status["b"].error


def test_tryfirst_and_trylast_are_honoured_over_site_order():
    host = host_with(plugin("first", shout=lambda word: "first"),
                     plugin("late", shout=({"trylast": True}, lambda word: "late")),
                     plugin("early", shout=({"tryfirst": True}, lambda word: "early")),
                     plugin("last", shout=lambda word: "last"))
    assert [r.value for r in host.call("shout", word="x")] == ["early", "first", "last", "late"]
    [answer] = host_with(plugin("a", answer=lambda question: "a"),
                         plugin("b", answer=({"tryfirst": True}, lambda question: "b"))).call("answer", question="?")
    assert answer.value == "b"


def test_a_hook_wrapper_sees_and_can_change_the_results():
    def wrapper(word):
        results = yield
        return [value.upper() for value in results]

    host = host_with(plugin("a", shout=lambda word: word), plugin("loud", shout=({"wrapper": True}, wrapper)))
    assert [r.value for r in host.call("shout", word="hello")] == ["HELLO"]


def test_a_wrapper_that_raises_is_disabled_and_the_call_goes_on():
    def wrapper(word):
        raise ValueError("bad wrapper")
        yield  # pragma: no cover

    host = host_with(plugin("a", shout=lambda word: word), plugin("bad", shout=({"wrapper": True}, wrapper)))
    assert [(r.plugin, r.value) for r in host.call("shout", word="hi")] == [("a", "hi")]
    assert not host.is_enabled("bad")


def test_errors_raise_names_the_plugin_and_leaves_it_enabled():
    def broken(word):
        raise OSError("disk")

    host = host_with(plugin("a", shout=lambda word: word), plugin("b", shout=broken))
    with pytest.raises(PluginHookError) as caught:
        host.call("shout", errors="raise", word="x")
    assert caught.value.plugin == "b" and isinstance(caught.value.error, OSError)
    assert host.is_enabled("b")


def test_only_calls_one_plugin_and_results_are_credited_to_it():
    host = host_with(plugin("a", shout=lambda word: "from a"), plugin("b", shout=lambda word: "from b"))
    assert [(r.plugin, r.value) for r in host.call("shout", only="b", word="x")] == [("b", "from b")]
    assert host.implementers("shout") == ["a", "b"]
    assert host.call("shout", only="nobody", word="x") == []


def test_a_plugin_calling_pluggy_directly_still_gets_failures_contained():
    def broken(word):
        raise RuntimeError("boom")

    host = host_with(plugin("a", shout=lambda word: word), plugin("b", shout=broken))
    assert host.pm.hook.shout(word="direct") == ["direct"]
    assert not host.is_enabled("b")
