"""Console screens: stores, the member directory with its 360° view, purchases.

Phones are shown masked (``138****8000``) everywhere.  The 360° view offers the full
number to users holding ``members.view_phone``, one member at a time, by a POST that
writes an audit entry first.

Store scope (:class:`zhanggui.console.scope.StoreScopedMixin`): store-scoped staff
see the stores assigned to them, members whose home store is one of them, and those
stores' purchases.
"""
from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import abort, current_app
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name
from wtforms import validators

from zhanggui import (_l, format_local_date, format_local_datetime, format_money,
                      format_number, has_permission)
from zhanggui.console.datamodel import ModelView, PeeweeInterface
from zhanggui.console.datamodel.filters import FilterEqual, PeeweeFilter, \
    PeeweeFilterConverter
from zhanggui.console.scope import StoreScopedMixin

from ..segments.views import (SEGMENT_COLUMNS, SEGMENT_LABELS, SegmentColumns, SegmentFilters,
                              segment_search_fields)
from .models import (GENDERS, IDENTITY_KINDS, JOIN_CHANNELS, LIFECYCLE_STAGES,
                     PAYMENT_METHODS, Member, MemberIdentity, Purchase, PurchaseLine, Store)
from .phones import PhoneNumberError, configured_region, display_phone
from .services import member_timeline, phone_digests, reveal_phone
from .sort_keys import sort_key_for_locale

VIEW_PHONE = "members.view_phone"


_LABELS = {"stage": dict(LIFECYCLE_STAGES), "gender": dict(GENDERS),
           "channel": dict(JOIN_CHANNELS), "identity": dict(IDENTITY_KINDS),
           "payment": dict(PAYMENT_METHODS)}


class FilterPhoneEqual(PeeweeFilter):
    """Exact phone search: the typed number (national in any of the chain's regions, or
    E.164) through the keyed hash."""

    name = _l("Mobile phone is")
    arg_name = "phone"

    def apply(self, query, value):
        try:
            digests = phone_digests(value)
        except PhoneNumberError:
            return query.where(Member.id.is_null())  # a malformed number matches nobody
        return query.where(Member.phone_hash.in_(digests))


class MemberFilterConverter(SegmentFilters, PeeweeFilterConverter):
    """The usual filters, except that the phone is searched only by exact number
    (through its hash) and by its last four digits."""

    def convert(self, col_name):
        if col_name == "phone_hash":
            return [FilterPhoneEqual(col_name, self.datamodel)]
        if col_name == "phone_last4":
            return [FilterEqual(col_name, self.datamodel)]
        if col_name == "id":  # the directory searches members by tag (tags.views)
            from ..tags.views import FilterHasTag

            return [FilterHasTag(col_name, self.datamodel)]
        return super().convert(col_name)


class MemberInterface(SegmentColumns, PeeweeInterface):
    filter_converter_class = MemberFilterConverter

    def resolve_order(self, query, col_name):
        """Names sort in the reader's order (pinyin, or zhuyin for Traditional Chinese
        readers: :mod:`.sort_keys`), home stores by their code."""
        if col_name == "name":
            from flask_babel import get_locale

            return query, getattr(Member, sort_key_for_locale(get_locale()))
        if col_name == "home_store":
            return self.resolve_column(query, "home_store.code")
        return super().resolve_order(query, col_name)


def _valid_timezone(form, field):
    try:
        ZoneInfo(str(field.data))
    except (ZoneInfoNotFoundError, ValueError):
        raise validators.ValidationError(_l("Unknown time zone, e.g. Asia/Shanghai."))


class StoreView(StoreScopedMixin, ModelView):
    datamodel = PeeweeInterface(Store)
    list_title = show_title = _l("Stores")
    add_title = _l("Add store")
    edit_title = _l("Edit store")
    list_columns = ["code", "name", "city", "region", "country", "currency", "timezone"]
    add_columns = edit_columns = show_columns = list_columns
    search_columns = ["code", "name", "city", "region"]
    order_columns = ["code", "name", "city", "region"]
    validators_columns = {"timezone": [_valid_timezone]}
    store_field = "code"


class MemberView(StoreScopedMixin, ModelView):
    """The member directory; its show page is the 360° view."""

    datamodel = MemberInterface(Member)
    list_title = _l("Members")
    show_title = _l("Member 360° view")
    add_title = _l("Add member")
    edit_title = _l("Edit member")
    base_permissions = ["can_list", "can_show", "can_edit"]
    list_columns = ["name", "masked_phone", "card_no", "home_store", "lifecycle_stage",
                    "joined_at"] + SEGMENT_COLUMNS
    edit_columns = ["name", "gender", "birthday", "card_no", "home_store", "notes"]
    search_columns = ["name", "card_no", "phone_hash", "phone_last4", "home_store",
                      "lifecycle_stage", "joined_at", "id"] + SEGMENT_COLUMNS
    search_form_extra_fields = segment_search_fields()
    order_columns = ["name", "card_no", "home_store", "lifecycle_stage", "joined_at"] \
        + SEGMENT_COLUMNS
    label_columns = {"masked_phone": _l("Mobile phone"), "phone_hash": _l("Mobile phone"),
                     "phone_last4": _l("Last four digits of mobile phone"), "id": _l("Tag"),
                     **SEGMENT_LABELS}
    autocomplete_fields = ["home_store"]
    show_template = "members/member_360.html"
    store_field = "home_store"

    def scope_query(self, query):
        # a member merged into another is retired: out of lists, look-ups and edits
        return super().scope_query(query).where(Member.merged_into.is_null())

    def _member_or_404(self, pk):
        member = self.datamodel.get(pk, self._base_filters)
        if member is None:
            abort(404)
        return member

    def _render_360(self, member, phone=None):
        plugins = current_app.extensions["zhanggui"].plugins
        return self.render_template(
            self.show_template, title=self.show_title, member=member, phone=phone,
            phone_display=display_phone(phone, configured_region()) if phone else None,
            view_endpoint=self.endpoint, may_view_phone=has_permission(VIEW_PHONE),
            identities=list(member.identities.order_by(MemberIdentity.id)),
            timeline=member_timeline(member), panels=plugins.member_panels(member.id),
            labels=_LABELS, fmt_datetime=format_local_datetime, fmt_date=format_local_date,
            fmt_money=format_money, fmt_number=format_number)

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """The 360° view: profile, identities, purchases, other plugins' panels."""
        return self._render_360(self._member_or_404(pk))

    @expose("/phone/<pk>", methods=["POST"])
    @has_access
    @permission_name("show")
    def show_phone(self, pk):
        """The 360° view with the phone in clear, for ``members.view_phone`` only; each
        time is written to the audit log."""
        if not has_permission(VIEW_PHONE):
            abort(403)
        member = self._member_or_404(pk)
        return self._render_360(member, phone=reveal_phone(member))


def _lines_of_stores(query, codes):
    """Purchase lines of purchases made in one of the stores ``codes``."""
    stores = Store.select(Store.id).where(Store.code.in_(codes or [""]))
    return query.where(PurchaseLine.purchase.in_(
        Purchase.select(Purchase.id).where(Purchase.store.in_(stores))))


class PurchaseLineView(StoreScopedMixin, ModelView):
    datamodel = PeeweeInterface(PurchaseLine)
    list_title = _l("Purchase lines")
    base_permissions = ["can_list", "can_show"]
    list_columns = ["sku", "name", "category", "counter_code", "quantity", "amount"]
    show_columns = ["purchase", "sku", "name", "category", "counter_code", "quantity",
                    "amount"]
    search_columns = ["sku", "name", "category", "counter_code"]
    autocomplete_fields = ["purchase"]
    store_field = _lines_of_stores


class PurchaseView(StoreScopedMixin, ModelView):
    """Purchases as ingested (read-only); the show page lists the lines."""

    datamodel = PeeweeInterface(Purchase)
    list_title = _l("Purchases")
    show_title = _l("Purchase")
    base_permissions = ["can_list", "can_show"]
    list_columns = ["pos_id", "occurred_at", "store", "member", "channel", "total",
                    "refunded_amount"]
    show_columns = list_columns
    search_columns = ["pos_id", "store", "member", "channel", "occurred_at", "total"]
    order_columns = ["pos_id", "occurred_at", "total"]
    autocomplete_fields = ["member"]
    autocomplete_search_columns = {"member": ["name", "card_no"]}
    related_views = [PurchaseLineView]
    store_field = "store"
