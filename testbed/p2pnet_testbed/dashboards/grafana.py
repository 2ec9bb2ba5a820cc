"""Grafana dashboard JSON from the catalog, built with Grafana's grafana-foundation-sdk.

Datasource, network and namespace are template variables; every panel's queries use
the datasource variable, so one JSON works with any Prometheus. Only the generator
(``hack/gen_dashboards.py``) and its drift test import this module.
"""

from __future__ import annotations

import json
from typing import Any

from grafana_foundation_sdk.builders import common as gc
from grafana_foundation_sdk.builders import dashboard as gd
from grafana_foundation_sdk.builders import prometheus, stat, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.common import LegendDisplayMode, LegendPlacement
from grafana_foundation_sdk.models.dashboard import (
    DashboardCursorSync,
    DataSourceRef,
    VariableOption,
    VariableRefresh,
    VariableSort,
)

from p2pnet_testbed.dashboards.model import Annotation, Dashboard, Panel

DATASOURCE = DataSourceRef(type_val="prometheus", uid="${datasource}")
PANEL_HEIGHT = 8
SCHEMA_TAGS = ["p2pnet"]
# A metric every live peer exports: the network/namespace variables list its label values.
PEER_METRIC = "p2pnet_dht_routing_table_peers"


def _variables() -> list[Any]:
    ds = (
        gd.DatasourceVariable("datasource")
        .label("Data source")
        .type("prometheus")
        .current(VariableOption(selected=True, text="Prometheus", value="prometheus"))
    )
    network = (
        gd.QueryVariable("network")
        .label("Network")
        .datasource(DATASOURCE)
        .query(f"label_values({PEER_METRIC}, network)")
        .refresh(VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(VariableSort.ALPHABETICAL_ASC)
        .include_all(True)
        .all_value(".*")
    )
    namespace = (
        gd.QueryVariable("namespace")
        .label("Namespace")
        .datasource(DATASOURCE)
        .query(f'label_values({PEER_METRIC}{{network=~"$network"}}, namespace)')
        .refresh(VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(VariableSort.ALPHABETICAL_ASC)
        .include_all(True)
        .all_value(".*")
    )
    return [ds, network, namespace]


def _annotation(a: Annotation) -> Any:
    return (
        gd.AnnotationQuery()
        .name(a.name)
        .datasource(DATASOURCE)
        .enable(True)
        .icon_color(a.color)
        .expr(a.expr)
    )


def _panel(p: Panel, panel_id: int) -> Any:
    if p.kind == "stat":
        builder: Any = stat.Panel()
    else:
        builder = timeseries.Panel().legend(
            gc.VizLegendOptions()
            .display_mode(LegendDisplayMode.LIST)
            .placement(LegendPlacement.BOTTOM)
            .show_legend(True)
        )
    builder = (
        builder.id(panel_id)
        .title(p.title)
        .datasource(DATASOURCE)
        .unit(p.unit)
        .height(PANEL_HEIGHT)
        .span(p.width)
    )
    if p.description:
        builder = builder.description(p.description)
    if p.min is not None:
        builder = builder.min(p.min)
    if p.max is not None:
        builder = builder.max(p.max)
    for i, q in enumerate(p.queries):
        builder = builder.with_target(
            prometheus.Dataquery()
            .expr(q.expr)
            .legend_format(q.legend)
            .ref_id(chr(ord("A") + i))
            .range()
        )
    return builder


def build(d: Dashboard) -> dict[str, Any]:
    """The dashboard's Grafana JSON model, as a dict."""
    builder = (
        gd.Dashboard(d.title)
        .uid(d.uid)
        .description(d.description)
        .tags([*SCHEMA_TAGS, d.uid.removeprefix("p2pnet-")])
        .editable()
        .tooltip(DashboardCursorSync.CROSSHAIR)
        .time("now-1h", "now")
        .refresh("30s")
        .timezone("browser")
        .variables(_variables())
    )
    for a in d.annotations:
        builder = builder.annotation(_annotation(a))
    for i, p in enumerate(d.panels, start=1):
        builder = builder.with_panel(_panel(p, i))
    model: dict[str, Any] = json.loads(json.dumps(builder.build(), cls=JSONEncoder))
    # Prometheus annotation fields the SDK's generic AnnotationQuery does not model.
    for query, a in zip(model["annotations"]["list"], d.annotations, strict=True):
        query.update(titleFormat=a.title, tagKeys="action", useValueForTime=False, step="30s")
    return model


def render(d: Dashboard) -> str:
    """The JSON file's text: sorted keys and a final newline, so diffs stay small."""
    return json.dumps(build(d), indent=2, sort_keys=True) + "\n"
