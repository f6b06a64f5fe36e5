"""Step 2: products and versions from the catalog, and where each one's stock files are."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, RadioSet, Select, Static

from screens.base import AnswersChanged, FormPane, focus_now, guarded
from screens.state import WizardState
from screens.widgets.bound import BoundInput, BoundSelect
from screens.widgets.buttons import CompactButton
from screens.widgets.choice import ChoiceSet
from screens.widgets.field import Field
from screens.widgets.paths import PathSuggester
from screens.widgets.secret import SecretBox
from screens.widgets.toggles import Dot
from wizard.catalog import PRODUCTS
from wizard.questions import (
    DISTRIBUTION,
    LDAP_FIELDS,
    LDAP_PASSWORD_LABEL,
    LOAD_BALANCER,
    USER_STORE_TITLE,
    USER_STORES,
)

SHORT_LABELS = {"is-km": "IS as Key Manager"}
"""Names for the Add list where the catalog's would wrap: at 80 columns "Identity Server as
Key Manager (is-km)" took two rows and pushed the last product out of the list's 12."""


@dataclass
class Removed:
    """A product Remove took: the answers as they were before, and the revision after."""

    label: str
    answers: dict[str, Any]
    stash: dict[str, Any]
    revision: int


class ProductsPane(FormPane):
    step_id = "products"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+r", "reveal", "Show passwords")]
    keys_help = (
        "Add a product from the list (Enter opens it). Each product gets the newest version; "
        "change it in its Version list. Distribution: the product's .zip or extracted "
        "PRODUCT_HOME on this machine, optional; the right arrow accepts the completion "
        "shown. Product and version are read from it. Load balancer: the host (or "
        "host:port; 443 when none) in front of the product's nodes, optional; API Manager "
        "and its key manager need one when clustered. User store (Identity Server): "
        "Up/Down and Enter (or Space) choose; ldap asks for the server, its bind password "
        "typed here (masked; Ctrl+R shows it) or named as an environment variable."
    )

    # Adding a product and the first card: what 80x24 shows first. (The second card in the
    # first frame too cost Next to Products ~50 ms, bench with 10 products: 132 against 82.)
    first_items = 2

    DEFAULT_CSS = """
    ProductsPane .user-store-box { height: auto; }
    ProductsPane .user-store { width: 1fr; }
    ProductsPane #undo-line { height: auto; margin-bottom: 1; }
    ProductsPane .undo-text { width: 1fr; }
    """

    def __init__(self, state: WizardState) -> None:
        super().__init__(state)
        self.reveal = False
        """Bind passwords shown in clear (Ctrl+R); kept when the cards are rebuilt."""
        self.removed: Removed | None = None
        """The product Remove took last, to bring back until the answers change again."""

    def body(self) -> Iterable[Widget]:
        options = [(f"{SHORT_LABELS.get(p.id, p.label)} ({p.id})", p.id) for p in PRODUCTS.values()]
        yield Field(
            "Add a product",
            Select(options, prompt="choose from the catalog", compact=True, id="add-product"),
            paths=["products"],
        )
        if self.removed is not None and self.removed.revision == self.state.revision:
            yield Horizontal(
                Static(
                    f"Removed {self.removed.label}: Enter on Undo brings it back.",
                    classes="undo-text",
                    markup=False,
                ),
                CompactButton("Undo", id="undo-remove", compact=True),
                id="undo-line",
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
                DISTRIBUTION.label,
                BoundInput(
                    f"{base}.distribution",
                    product.get("distribution"),
                    kind="optional",
                    placeholder=DISTRIBUTION.example,
                    suggester=PathSuggester(suffixes=(".zip",)),
                ),
                paths=[f"{base}.distribution"],
                hint=self.detected_text(product),
            )
        )
        parts.append(
            Field(
                LOAD_BALANCER.label,
                BoundInput(
                    f"{base}.load_balancer",
                    product.get("load_balancer"),
                    kind="optional",
                    placeholder=LOAD_BALANCER.example,
                ),
                paths=[f"{base}.load_balancer"],
            )
        )
        if known is not None and known.chooses_user_store:
            parts += self.user_store_fields(pi, product)
        return Vertical(*parts, classes="card")

    def user_store_fields(self, pi: int, product: dict[str, Any]) -> list[Widget]:
        """The primary user store, and the LDAP server's answers when it is ldap."""
        base = f"products[{pi}]"
        store = product.get("user_store") or "jdbc"
        choices = ChoiceSet(
            *(
                Dot(label, value=store == key, id=f"store-{pi}-{key}", compact=True)
                for key, label in USER_STORES
            ),
            id=f"store-{pi}",
            compact=True,
            classes="user-store",
        )
        # The choices span the card under their title, so that each one's line is read
        # whole at 80 columns; beside a label they were cut short.
        box = Vertical(
            Static(USER_STORE_TITLE, markup=False),
            choices,
            classes="user-store-box",
        )
        # A missing or unread [ldap] table is said at the choice that asks for it.
        fields: list[Widget] = [Field("", box, paths=[f"{base}.user_store", f"{base}.ldap"])]
        if store != "ldap":
            return fields
        ldap = product.get("ldap")
        ldap = ldap if isinstance(ldap, dict) else {}
        path = f"{base}.ldap"
        # Empty boxes leave their key out, so the model says an answer is required rather than
        # taking an empty DN or search base.
        for question in LDAP_FIELDS:
            key = question.key
            fields.append(
                # "e.g.": without colour an example in the box read as a value.
                self.ldap_field(
                    f"{path}.{key}", question.label, ldap.get(key), f"e.g. {question.example}"
                )
            )
            if key == "bind_dn":
                fields.append(
                    Field(
                        LDAP_PASSWORD_LABEL,
                        SecretBox(
                            path, ldap, placeholder="the bind DN's password", reveal=self.reveal
                        ),
                        paths=[f"{path}.password", f"{path}.password_env"],
                    )
                )
        return fields

    def ldap_field(self, path: str, label: str, value: Any, placeholder: str) -> Field:
        control = BoundInput(path, value, kind="optional", placeholder=placeholder)
        return Field(label, control, paths=[path])

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
            # The new card is the last: scrolled into view whole once laid out (Textual's
            # own scroll to the focused widget runs before the rebuilt form has its place,
            # and the third product's card stayed below the screen).
            card = self.query(".card").last()
            self.call_after_refresh(self.screen.scroll_to_widget, card, animate=False)
            return
        super().on_select_changed(event)

    @guarded
    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id and event.button.id.startswith("remove-"):
            event.stop()
            await self.remove_product(int(event.button.id.removeprefix("remove-")))
        elif event.button.id == "undo-remove":
            event.stop()
            await self.undo_remove()

    async def remove_product(self, pi: int) -> None:
        """Remove the product at `pi`, its nodes and databases, and offer them back: Remove
        is one Shift+Tab from the fields, and a whole product's answers are a lot to retype."""
        product = self.state.products()[pi]
        known = PRODUCTS.get(str(product.get("id")))
        label = known.label if known else str(product.get("id", "?"))
        before = (copy.deepcopy(self.state.answers), copy.deepcopy(self.state.stash))
        self.state.remove_product(pi)
        name = f"{label} {product.get('version', '')}".strip()
        self.removed = Removed(name, *before, self.state.revision)
        await self.rebuild("#undo-remove")

    async def undo_remove(self) -> None:
        removed, self.removed = self.removed, None
        if removed is None or removed.revision != self.state.revision:
            return  # something changed since: the answers of then would undo it
        self.state.answers, self.state.stash = removed.answers, removed.stash
        self.state.changed()
        await self.rebuild("")

    @guarded
    async def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        radios = event.radio_set.id or ""
        if not radios.startswith("store-"):
            return
        event.stop()
        pi = int(radios.removeprefix("store-"))
        store = (event.pressed.id or "").removeprefix(f"{radios}-")
        if self.state.set_user_store(pi, store):
            # The LDAP fields come and go with the choice: the card is composed again.
            await self.rebuild(f"products[{pi}].user_store")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Ctrl+R is offered only while a bind password is on the step.
        if action == "reveal":
            return bool(self.query(SecretBox))
        return True

    def action_reveal(self) -> None:
        self.reveal = not self.reveal
        for box in self.query(SecretBox):
            box.set_reveal(self.reveal)

    async def rebuild(self, focus: str) -> None:
        await self.recompose()
        self.refresh_bindings()  # Ctrl+R comes and goes with the LDAP fields
        self.refresh_problems()
        self.post_message(AnswersChanged())
        if focus.startswith("#") and self.query(focus):
            focus_now(self.query_one(focus))
        elif focus and not focus.startswith("#"):
            self.focus_path(focus)
        else:
            focus_now(self.query_one("#add-product", Select))

    def answered(self, path: str, value: Any) -> None:
        if self.removed is not None:  # a change since: Undo would take it back too
            self.removed = None
            self.query("#undo-line").remove()
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
            self.state.put(f"products[{pi}].version", found.version)
            self.call_later(self.sync_version, pi)

    def sync_version(self, pi: int) -> None:
        for control in self.query(BoundSelect):
            if control.path == f"products[{pi}].version":
                control.value = self.state.products()[pi]["version"]
        self.refresh_problems()
