"""Step 2: products and versions, each one's distribution, load balancer and user store."""

from __future__ import annotations

from questionary import Choice

from wizard.prompt.asking import CONTINUE, Asking, checker, optional, required
from wizard.questions import (
    DISTRIBUTION,
    LDAP_FIELDS,
    LOAD_BALANCER,
    USER_STORE_QUESTION,
    USER_STORES,
)


class ProductsStep(Asking):
    def step_products(self) -> str:
        self.header("products")
        if not self.products():
            self.add_product()
            while self.confirm("Add another product?", default=False):
                self.add_product()
        while True:
            left = self.settle("products")
            self.say("Products:")
            for i, product in enumerate(self.products()):
                self.say(f"  {i + 1}. {self.product_label(product)}")
            actions = [Choice("Add a product", "add")]
            if self.products():
                actions += [
                    Choice(
                        "Change a product (version, profile, distribution, load balancer, "
                        "user store)",
                        "change",
                    ),
                    Choice("Remove a product", "remove"),
                ]
            action = self.menu("Products", actions)
            if action == CONTINUE:
                if self.done("products", left):
                    return "nodes"
            elif action == "add":
                self.add_product()
            elif action == "change":
                self.change_product(self.pick_product("Change which product?"))
            elif action == "remove":
                removed = self.draft.remove_product(self.pick_product("Remove which product?"))
                self.say(f"Removed {self.product_label(removed)}.")

    def add_product(self) -> None:
        from wizard.catalog import PRODUCTS

        product_id = self.select(
            "Which product?", [Choice(f"{p.label} ({p.id})", p.id) for p in PRODUCTS.values()]
        )
        pi = self.draft.add_product(product_id)
        self.change_product(pi, new=True)

    def change_product(self, index: int, new: bool = False) -> None:
        from wizard.catalog import PRODUCTS

        path = f"products[{index}]"
        product = self.products()[index]
        self.ask_product_field(f"{path}.version")
        known = PRODUCTS.get(str(product.get("id")))
        if known and len(known.profiles) > 1:
            self.ask_product_field(f"{path}.profile")
        # Asked on a change as on an add, with the one given as the default: a product
        # patched from the baseline can be given its distribution later.
        self.ask_product_field(f"{path}.distribution")
        # A new product's nodes are not known yet, and with them whether it needs a load
        # balancer: the model asks for one at this step once they are.
        if not new:
            self.ask_load_balancer(index)
        if known and known.chooses_user_store:
            self.ask_user_store(index)

    def ask_product_field(self, path: str) -> None:
        from wizard.catalog import PRODUCTS

        base, field = path.rsplit(".", 1)
        pi = int(base.removeprefix("products[").removesuffix("]"))
        product = self.products()[pi]
        known = PRODUCTS.get(str(product.get("id")))
        if field == "id" or known is None:
            product_id = self.select(
                "Which product?",
                [Choice(f"{p.label} ({p.id})", p.id) for p in PRODUCTS.values()],
                default=product.get("id"),
            )
            self.draft.set_product_id(pi, product_id)
            if product.get("version") not in PRODUCTS[product_id].versions:
                self.ask_product_field(f"{base}.version")
            return
        if field == "version":
            versions = list(known.versions)
            current = product.get("version")
            self.give(
                path,
                self.select(
                    f"{known.label} version:",
                    [Choice(f"{v} (Carbon {known.versions[v]})", v) for v in reversed(versions)],
                    default=current if current in versions else versions[-1],
                ),
            )
        elif field == "profile":
            if len(known.profiles) == 1:
                self.drop(path)
                return
            choice = self.select(
                f"{known.label} profile:",
                [Choice(name, name) for name in known.profiles],
                default=product.get("profile") or known.default_profile,
            )
            if choice == known.default_profile and "profile" not in product:
                return
            self.give(path, choice)
            self.draft.drop_unneeded_product_databases()
        elif field == "distribution":
            default = str(product.get("distribution", ""))
            while True:
                value = self.text(DISTRIBUTION.ask(product=known.label), default=default)
                self.give(path, value or None)
                # Read here, as the full-screen step does at its field: not after the
                # product list, once the operator has moved on.
                found = [
                    p for p in self.files.distribution_problems(self.answers) if p.path == path
                ]
                if not found:
                    return
                self.refused(found[0].message)
                default = value  # a long path: one wrong character is mended, not retyped

    def ask_load_balancer(self, pi: int) -> None:
        from wizard.fields import check_load_balancer

        product = self.products()[pi]
        value = self.text(
            LOAD_BALANCER.ask(product=self.product_name(product)),
            default=str(product.get("load_balancer", "")),
            validate=optional(checker(check_load_balancer)),
        )
        self.give(f"products[{pi}].load_balancer", value or None)

    def ask_user_store(self, pi: int) -> bool:
        """Ask the primary user store; False when the operator keeps what cannot stay."""
        from wizard.catalog import PRODUCTS

        product = self.products()[pi]
        known = PRODUCTS.get(str(product.get("id")))
        if known is None or not known.chooses_user_store:
            # Only a hand-edited answers file puts one on another product.
            label = self.product_label(product)
            if self.confirm(f"{label} takes no user store; remove user_store and [ldap]?", True):
                self.drop(f"products[{pi}].user_store")
                self.drop(f"products[{pi}].ldap")
                return True
            return False
        current = product.get("user_store") or "jdbc"
        choice = self.select(
            USER_STORE_QUESTION.format(product=self.product_name(product)),
            [Choice(text, key) for key, text in USER_STORES],
            default=current,
        )
        self.draft.set_user_store(pi, choice)
        if choice == "ldap":
            self.ask_ldap(pi)
        return True

    def ask_ldap(self, pi: int) -> None:
        for question in LDAP_FIELDS:
            self.ask_ldap_field(pi, question.key)
            if question.key == "bind_dn":
                self.ask_password(f"products[{pi}].ldap")

    def ask_ldap_field(self, pi: int, key: str) -> None:
        from wizard.fields import check_ldap_url, check_xml_text

        path = f"products[{pi}].ldap"
        if not isinstance(self.get(path), dict):
            self.draft.bring_back(path, {})
        question = next(q for q in LDAP_FIELDS if q.key == key)
        check = check_ldap_url if key == "url" else check_xml_text
        self.give(
            f"{path}.{key}",
            self.text(
                question.question,
                default=str(self.get(f"{path}.{key}", "")),
                validate=required(checker(check)),
                # A URL or a DN (uid=admin,ou=system): long, and mended where one part is wrong.
                keep_refused=True,
            ),
        )
