"""check-databases.sh is formatted once per product and each node's id put in its places;
the text must be that of formatting the template for the node alone."""

from __future__ import annotations

from tests import answers_fixtures as af
from wizard.render import checkscript
from wizard.render.checkscript import check_databases_script


def test_each_node_gets_the_script_formatted_for_it_alone() -> None:
    plan = af.build(af.split())
    for node in plan.nodes:
        product = f"{node.product_label} {node.version}"
        whole = checkscript._format(node.id, product, checkscript._checks(node, plan))
        assert check_databases_script(node, plan) == whole


def test_a_mark_in_the_checks_falls_back_to_formatting_whole() -> None:
    body = f"check '{checkscript._NODE_MARK}' h 1"
    assert checkscript._around_node_id("P 1", body) is None
