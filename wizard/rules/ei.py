"""Rule 31: EI 6.x files live under conf/ or wso2/<profile>/conf/, never repository/conf/."""

from __future__ import annotations

from wizard.rules.facts import NodeFiles
from wizard.rules.findings import Report
from wizard.rules.reading import MANIFEST


def check_ei_layout(node: NodeFiles, out: Report) -> None:
    if node.info.product != "ei":
        return
    for path in sorted(node.files):
        if path.startswith("repository/conf/"):
            out.add(
                31,
                node.id,
                path,
                "",
                "EI 6.x reads its configuration from conf/ (integrator) or "
                "wso2/<profile>/conf/; a file under repository/conf/ is never read",
            )
    for what, value in (("conf_dir", node.info.conf_dir), ("lib_dir", node.info.lib_dir)):
        if value.startswith("repository/"):
            out.add(
                31,
                "",
                MANIFEST,
                f"nodes[id='{node.id}']/{what}",
                f"{node.id} is an EI 6.x node, but its {what} is '{value}'",
            )
