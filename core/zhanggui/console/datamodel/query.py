"""How a list page is read: count, narrow key page, then the rows.

A console page over 200,000 members must not make the database join or sort wide
rows it is going to skip. So a page is read in three statements:

1. **count** — ``SELECT COUNT(1) FROM (SELECT 1 FROM member [joins a filter needs]
   WHERE ...)``: no ORDER BY, no joins for display columns.
2. **keys** — ``SELECT member.id FROM member [joins the filter/order need] WHERE ...
   ORDER BY <col>, member.id LIMIT n OFFSET m``: only the key travels, so a deep
   OFFSET skips narrow index entries instead of joined rows (SQLite otherwise does the
   join for every skipped row). The primary key is the tie-breaker, so pages are
   stable when the order column has duplicates.
3. **rows** — ``SELECT member.*, store.* FROM member LEFT JOIN store ... WHERE
   member.id IN (<the page's keys>)``: the many-to-one relations shown on the page are
   joined here, for 25 rows only, and the rows are put back in key order.

Deep pages: FAB asks for a page by number, never "after key K", so true keyset
pagination (``WHERE (points, id) > (?, ?)``) cannot be driven from its list screens
or REST API; step 2 is the narrow-key form of OFFSET that page numbers allow.

Without ``page_size`` (select options, validators) it is one query with the joins.
"""

from __future__ import annotations

from peewee import JOIN, ForeignKeyField

#: the deepest row a page may start at; a page beyond it is empty (a negative page is
#: the first page), whatever a console URL or an API caller asks for
MAX_OFFSET = 2**31 - 1


class PagedQuery:
    """One list read for ``datamodel`` with ``filters`` (FAB ``Filters`` or None)."""

    def __init__(self, datamodel, filters=None, select_columns=None):
        self.datamodel = datamodel
        self.filters = filters
        self.select_columns = select_columns

    def _filtered(self, *columns):
        model = self.datamodel.obj
        query = self.datamodel.scoped(model.select(*columns))
        if self.filters:
            query = self.filters.apply_all(query)
        return query

    def _ordered(self, query, order_column, order_direction):
        pk = self.datamodel._pk_field()
        descending = order_direction == "desc"
        order = []
        if order_column:
            query, field = self.datamodel.resolve_order(query, order_column)
            if field is None:
                raise ValueError(f"unknown order column {order_column}")
            order.append(field.desc() if descending else field.asc())
        if not order_column or field is not pk:
            order.append(pk.desc() if descending else pk.asc())
        return query.order_by(*order)

    def _displayed_relations(self):
        """Many-to-one fields whose related row the page shows."""
        meta = self.datamodel.obj._meta
        wanted = self.select_columns
        relations = []
        for field in meta.sorted_fields:
            if not isinstance(field, ForeignKeyField):
                continue
            if wanted is None or any(
                c == field.name or c.startswith(field.name + ".") for c in wanted
            ):
                relations.append(field)
        return relations

    def _with_relations(self, query):
        """Select the displayed related rows with the main rows (no N+1 lazy loads)."""
        model = self.datamodel.obj
        selected = [model]
        joined = getattr(query, "_zg_joins", {})
        for fk in self._displayed_relations():
            if fk.name in joined:  # a filter or the order already joined it
                selected.append(joined[fk.name])
                continue
            alias = fk.rel_model.alias()
            query = query.join_from(
                model, alias, JOIN.LEFT_OUTER,
                on=(fk == getattr(alias, fk.rel_field.name)), attr=fk.name,
            )
            selected.append(alias)
        return query.select(*selected)

    def run(self, order_column="", order_direction="", page=None, page_size=None):
        """Return ``(count, items)`` (see module doc)."""
        model = self.datamodel.obj
        pk = self.datamodel._pk_field()
        count = self._filtered(pk).order_by().count()
        if not page_size:
            query = self._ordered(self._filtered(), order_column, order_direction)
            return count, list(self._with_relations(query))
        offset = max(page or 0, 0) * page_size
        if offset > MAX_OFFSET:  # no database counts that far: an empty page, not a 500
            return count, []
        keys_query = self._ordered(self._filtered(pk), order_column, order_direction)
        keys_query = keys_query.limit(page_size).offset(offset)
        keys = [row[0] for row in keys_query.tuples()]
        if not keys:
            return count, []
        rows = self._with_relations(model.select().where(pk.in_(keys)))
        by_key = {row.get_id(): row for row in rows}
        return count, [by_key[k] for k in keys if k in by_key]
