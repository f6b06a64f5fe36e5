"""Step 2: products and versions from the catalog, and where each one's stock files are."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, Select, Static

from screens.base import AnswersChanged, FormPane, focus_now, guarded
from screens.widgets.bound import BoundInput, BoundSelect
from screens.widgets.buttons import CompactButton
from screens.widgets.field import Field
from screens.widgets.paths import PathSuggester
from wizard.catalog import PRODUCTS


class ProductsPane(FormPane):
    step_id = "products"
    keys_help = (
        "Add a product from the list (Enter opens it). Each product gets the newest version; "
        "change it in its Version list. Distribution: the product's .zip or extracted "
        "PRODUCT_HOME on this machine, optional; the right arrow accepts the completion "
        "shown. Product and version are read from it."
    )

    def body(self) -> Iterable[Widget]:
        options = [(f"{p.label} ({p.id})", p.id) for p in PRODUCTS.values()]
        yield Field(
            "Add a product",
            Select(options, prompt="choose from the catalog", compact=True, id="add-product"),
            paths=["products"],
        )
        for pi, product in enumerate(self.state.products()):
            yield self.card(pi, product)

    def card(self, pi: int, product: dict[str, Any]) -> Widget:
        base = f"products[{pi}]"
        known = PRODUCTS.get(str(product.get("id")))
        label = known.label if known else str(product.get("id", "?"))
        parts: list[Widget] = [
            Horizontal(
                Static(f"{pi + 1}. {label}", classes="card-title", markup=False),
                CompactButton("Remove", id=f"remove-{pi}", compact=True, classes="remove"),
                classes="card-head",
            )
        ]
        if known is not None:
            versions = [(f"{v} (Carbon {k})", v) for v, k in reversed(known.versions.items())]
            parts.append(
                Field(
                    "Version",
                    BoundSelect(f"{base}.version", versions, product.get("version")),
                    paths=[f"{base}.version", f"{base}.id", base],
                )
            )
            if len(known.profiles) > 1:
                profiles = [(name, name) for name in known.profiles]
                value = product.get("profile") or known.default_profile
                parts.append(
                    Field(
                        "Profile",
                        BoundSelect(f"{base}.profile", profiles, value),
                        paths=[f"{base}.profile"],
                    )
                )
        parts.append(
            Field(
                "Distribution",
                BoundInput(
                    f"{base}.distribution",
                    product.get("distribution"),
                    kind="optional",
                    placeholder="optional: .zip or PRODUCT_HOME",
                    suggester=PathSuggester(suffixes=(".zip",)),
                ),
                paths=[f"{base}.distribution"],
                hint=self.detected_text(product),
            )
        )
        return Vertical(*parts, classes="card")

    def detected_text(self, product: dict[str, Any]) -> str:
        where = product.get("distribution")
        if not where:
            return "Empty: the built-in Carbon 4.4.x kernel baseline is patched."
        found = self.state.detect(where)
        if isinstance(found, str):
            return ""
        if found.product is None:
            return f"Read as a distribution; product not detected ({found.source})."
        label = PRODUCTS[found.product].label
        return f"Detected {label} {found.version or '(version unknown)'} from {found.source}."

    @guarded
    async def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "add-product":
            event.stop()
            if event.value is Select.NULL:
                return
            pi = self.state.add_product(str(event.value))
            await self.rebuild(f"products[{pi}].version")
            return
        super().on_select_changed(event)

    @guarded
    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id and event.button.id.startswith("remove-"):
            event.stop()
            self.state.remove_product(int(event.button.id.removeprefix("remove-")))
            await self.rebuild("")

    async def rebuild(self, focus: str) -> None:
        await self.recompose()
        self.refresh_problems()
        self.post_message(AnswersChanged())
        if focus:
            self.focus_path(focus)
        else:
            focus_now(self.query_one("#add-product", Select))

    def answered(self, path: str, value: Any) -> None:
        if path.endswith(".profile"):
            self.state.drop_unneeded_product_databases()
        if path.endswith(".distribution"):
            self.apply_detected(path)

    def apply_detected(self, path: str) -> None:
        pi = int(path.split("[", 1)[1].split("]", 1)[0])
        product = self.state.products()[pi]
        found = self.state.detect(product["distribution"]) if product.get("distribution") else None
        hint = self.detected_text(product)
        field = next(f for f in self.query(Field) if path in f.paths)
        hints = field.query(".field-hint")
        if hints:
            hints.first(Static).update(hint)
        if found is None or isinstance(found, str) or found.product is None:
            return
        versions = PRODUCTS[found.product].versions
        same_product = found.product == product.get("id")
        if same_product and found.version in versions and found.version != product.get("version"):
            product["version"] = found.version
            self.call_later(self.sync_version, pi)

    def sync_version(self, pi: int) -> None:
        for control in self.query(BoundSelect):
            if control.path == f"products[{pi}].version":
                control.value = self.state.products()[pi]["version"]
        self.refresh_problems()
