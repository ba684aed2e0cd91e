"""The status page: plain HTML from the status document, every value escaped.

Message ids, entity keys and reason texts come from outside systems and are hostile input, so
nothing reaches the page except through `_e`.
"""

from __future__ import annotations

import html
from typing import Any

from mfgsync.api.status import DELIVERY_STATES, STAGES

STAGE_MEANINGS = {
    "received": "every message that arrived, repeats included",
    "applied": "changed the hub's state and queued a delivery to each subscribed target",
    "duplicates": "seen before (same source and id, or the same fact again): no second effect",
    "stale": "older than what is already applied to its entity: recorded, not applied",
    "quarantined": "broke a rule: held with its reasons until someone fixes and replays it",
}

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; margin-bottom: .2em; } h2 { font-size: 1.15em; margin-top: 1.8em; }
.what { background: #f3f6fa; border-left: 4px solid #4a7bb7; padding: .7em 1em; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .3em .6em; vertical-align: top; }
th { border-bottom: 2px solid #ccc; } td { border-bottom: 1px solid #eee; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
code { font-size: .92em; } .muted { color: #777; font-size: .9em; } .code { font-weight: 600; }
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def render(status: dict[str, Any]) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="5">
<title>mfgsync status</title><style>{STYLE}</style></head>
<body>
<h1>mfgsync hub status</h1>
<p class="muted">As of {_e(status["generated_at"])}; this page refreshes every 5 seconds.
The same figures as JSON: <a href="/status.json">/status.json</a> · health: <a href="/health">/health</a></p>
<p class="what"><strong>What happened:</strong> {_e(status["summary"])}</p>
<h2>Messages per stage</h2>
{_stages(status["stages"])}
<h2>Deliveries per target</h2>
{_deliveries(status["deliveries"])}
<h2>Open exceptions ({_e(status["exceptions_open"])})</h2>
{_exceptions(status["exceptions"], status["exceptions_open"])}
</body></html>
"""


def _stages(stages: dict[str, int]) -> str:
    rows = "".join(f'<tr><td>{_e(name)}</td><td class="n">{_e(stages[name])}</td>'
                   f'<td class="muted">{_e(STAGE_MEANINGS[name])}</td></tr>' for name in STAGES)
    return f'<table><tr><th>stage</th><th class="n">messages</th><th>meaning</th></tr>{rows}</table>'


def _deliveries(deliveries: dict[str, dict[str, Any]]) -> str:
    if not deliveries:
        return ('<p class="muted">No target is subscribed to any event type yet '
                '(see <code>subscriptions</code> in the configuration).</p>')
    head = "".join(f'<th class="n">{_e(state)}</th>' for state in DELIVERY_STATES)
    rows = "".join(
        f'<tr><td>{_e(target)}</td><td>{_e(d["kind"])}</td><td><code>{_e(d["path"])}</code></td>'
        + "".join(f'<td class="n">{_e(d[state])}</td>' for state in DELIVERY_STATES) + "</tr>"
        for target, d in deliveries.items())
    return f"<table><tr><th>target</th><th>kind</th><th>writes to</th>{head}</tr>{rows}</table>"


def _exceptions(exceptions: list[dict[str, Any]], total: int) -> str:
    if not exceptions:
        return '<p class="muted">None: nothing is waiting for a person.</p>'
    rows = "".join(_exception_row(x) for x in exceptions)
    shown = len(exceptions)
    more = f'<p class="muted">Showing the first {shown} of {_e(total)}.</p>' if total > shown else ""
    return ("<table><tr><th>#</th><th>kind</th><th>owner role</th><th>message</th><th>event type</th>"
            "<th>entity</th><th>reasons</th><th class=\"n\">times seen</th><th>first seen</th><th>last seen</th></tr>"
            f"{rows}</table>{more}"
            '<p class="muted">Fix and replay with <code>mfgsync exceptions replay ID</code>, '
            "or close with <code>mfgsync exceptions resolve ID</code>.</p>")


def _exception_row(x: dict[str, Any]) -> str:
    reasons = "<br>".join(f'<span class="code">{_e(r["code"])}</span>: {_e(r["message"])}' for r in x["reasons"])
    message = f'{_e(x["source"])} / {_e(x["message_id"] or "(no id)")}'
    return (f'<tr><td>{_e(x["id"])}</td><td>{_e(x["kind"])}</td><td>{_e(x["owner_role"])}</td><td>{message}</td>'
            f'<td>{_e(x["event_type"])}</td><td>{_e(x["entity_key"])}</td><td>{reasons}</td>'
            f'<td class="n">{_e(x["times_seen"])}</td><td>{_e(x["first_seen"])}</td><td>{_e(x["last_seen"])}</td></tr>')
