"""Importing purchases: lines grouped into sales by transaction id, recorded like POS
sales (events included, so loyalty awards their points).  The policy is
:mod:`.importing`'s: all or nothing per file unless bad rows are skipped."""
from __future__ import annotations

import decimal

from zhanggui import _, _l, write_transaction

from ..profile.models import PAYMENT_METHODS, Purchase, Store
from ..profile.phones import PhoneNumberError, configured_region, normalize_mobile
from ..profile.services import normalize_card
from .columns import COLUMNS
from .importing import Problem, _decimal, _flatten, _moment, _RowErrors, _text, _zone
from .reading import ImportFileError, count_rows


class PurchaseImport:
    """Purchase lines grouped into sales by transaction id, recorded like POS sales."""

    def __init__(self, report, labels, tz, progress):
        self.report, self.labels, self.tz, self.progress = report, labels, tz, progress
        self.stores = {s.code.upper(): s for s in Store.select()}
        self.methods = {code for code, _label in PAYMENT_METHODS}

    def _require_columns(self):
        missing = [f for f in ("transaction_id", "store", "occurred_at", "sku", "item",
                               "category", "quantity", "amount") if f not in self.labels]
        if missing:
            raise ImportFileError(_("The file lacks the columns %(columns)s.",
                                    columns=", ".join(COLUMNS["purchases"][f][0]
                                                      for f in missing)))

    def check(self, number, values):
        errors = _RowErrors(number, self.labels)
        pos_id = _text(errors, values, "transaction_id", 64, required=True)
        code = _text(errors, values, "store", 20, required=True)
        store = self.stores.get(code.upper()) if code else None
        if code and store is None:
            errors.add("store", _l("There is no store with the code %(code)s.", code=code))
        tz = _zone(store.timezone) if store else self.tz
        occurred = _moment(errors, values, "occurred_at", tz, required=True)
        member = None
        raw_phone = str(values.get("member_phone", "")).strip()
        card = normalize_card(_text(errors, values, "member_card", 32))
        if raw_phone:
            try:
                member = {"phone": normalize_mobile(
                    raw_phone, store.country if store is not None else configured_region())}
            except PhoneNumberError as exc:
                errors.add("member_phone", exc.args[0])
        elif card:
            member = {"card": card}
        line = {"sku": _text(errors, values, "sku", 40, required=True),
                "name": _text(errors, values, "item", 100, required=True),
                "category": _text(errors, values, "category", 40, required=True),
                "counter": _text(errors, values, "counter", 20)}
        quantity = _decimal(errors, values, "quantity", 3, positive=True)
        amount = _decimal(errors, values, "amount", 2, positive=False)
        method = _text(errors, values, "payment_method", 20) or "cash"
        if method not in self.methods:
            errors.add("payment_method", _l("Choose one of the payment methods %(methods)s.",
                                            methods=", ".join(sorted(self.methods))))
        if errors.problems:
            return None, errors.problems
        line.update(quantity=str(quantity), amount=str(amount))
        return {"number": number, "id": pos_id, "store": store.code,
                "occurred_at": occurred.isoformat(), "member": member, "line": line,
                "method": method}, []

    def run(self, path, by_column, rows, commit: bool) -> None:
        from ..pos.parsing import PosInputError, parse_sale
        from ..profile.services import find_member

        report = self.report
        self._require_columns()
        checking = self.progress(_("Checking rows"), count_rows(path))
        sales: dict[str, list[dict]] = {}
        bad_sales: set[str] = set()
        for number, values in rows:
            report.rows += 1
            fields = {name: values[i] for i, name in by_column.items() if i < len(values)}
            row, problems = self.check(number, fields)
            report.problems += problems
            pos_id = str(fields.get("transaction_id", "")).strip()
            if row is None:
                bad_sales.add(pos_id)
            else:
                sales.setdefault(row["id"], []).append(row)
            checking.advance()
        checking.close()
        ready = []
        for pos_id, lines in sales.items():
            first = lines[0]
            labels = _RowErrors(first["number"], self.labels)
            if pos_id in bad_sales:
                for line in lines:
                    report.problems.append(Problem(line["number"], labels.labels.get(
                        "transaction_id", "transaction_id"), str(_l(
                            "Another row of this transaction is bad."))))
                continue
            problems = []
            for line in lines[1:]:
                for key, name in (("store", "store"), ("occurred_at", "occurred_at"),
                                  ("member", "member_phone")):
                    if line[key] != first[key]:
                        problems.append(Problem(line["number"], self.labels.get(name, name),
                                                str(_l("Differs from row %(row)s of the same "
                                                       "transaction.", row=first["number"]))))
            member = first["member"]
            if member and not problems and find_member(phone=member.get("phone"),
                                                       card=member.get("card")) is None:
                problems.append(Problem(first["number"], self.labels.get(
                    "member_phone" if "phone" in member else "member_card", "member"),
                    str(_l("No member has this phone or card number; import the members "
                           "first."))))
            body = {"id": pos_id, "store": first["store"], "occurred_at": first["occurred_at"],
                    "member": member, "lines": [ln["line"] for ln in lines]}
            total = sum((decimal.Decimal(ln["line"]["amount"]) for ln in lines),
                        decimal.Decimal("0"))
            body["total"] = str(total)
            body["payments"] = [{"method": first["method"], "amount": str(total)}]
            if not problems:
                try:
                    sale = parse_sale(body)
                except PosInputError as exc:
                    problems += [Problem(first["number"], self.labels.get(
                        "transaction_id", "transaction_id"), message)
                        for message in _flatten(exc.messages)]
            if problems:
                report.problems += problems
                continue
            stored = Purchase.get_or_none(Purchase.pos_id == pos_id)
            if stored is not None:
                if stored.request_hash == sale.fingerprint():
                    report.matched += 1
                else:
                    report.problems.append(Problem(first["number"], self.labels.get(
                        "transaction_id", "transaction_id"), str(_l(
                            "Transaction %(id)s was already recorded with different "
                            "content.", id=pos_id))))
                continue
            ready.append(sale)
        report.problems.sort(key=lambda p: p.row)
        report.created = len(ready)
        if not commit or (report.problems and not report.skip_bad_rows):
            if report.problems and not report.skip_bad_rows:
                report.created = report.matched = 0
            return
        from ..pos.purchases import _record

        storing = self.progress(_("Storing purchases"), len(ready))
        with write_transaction():
            for sale in ready:
                _record(sale, sale.fingerprint(), "anonymous")
                storing.advance()
        storing.close()
        report.committed = True
