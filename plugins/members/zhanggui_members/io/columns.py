"""The columns of member and purchase files, with their headers in zh_CN, zh_TW and en.

Exports write the headers of the reader's language; imports recognise any of them
(and a few common variants), compared after Unicode NFKC folding, without spaces
and case-insensitively, so ``手机号``, ``手機號碼``, ``Mobile phone`` and ``MOBILE`` all
mean the phone column.  A mapping (``--mapping``) can name any other header.
"""
from __future__ import annotations

import unicodedata

#: field -> (zh_CN, zh_TW, en, *other accepted spellings)
MEMBER_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "姓名", "Name", "会员姓名", "會員姓名", "member name", "客户姓名"),
    "phone": ("手机号", "手機號碼", "Mobile phone", "手机", "手机号码", "手機", "手機號",
              "phone", "mobile", "电话", "電話"),
    "card_no": ("会员卡号", "會員卡號", "Card number", "卡号", "卡號", "card", "card_no",
                "membership card number"),
    "gender": ("性别", "性別", "Gender", "sex"),
    "birthday": ("生日", "生日", "Birthday", "出生日期", "date of birth", "birth date"),
    "home_store": ("所属门店", "所屬門市", "Home store", "门店", "門市", "门店编码",
                   "門市代碼", "store", "store code"),
    "joined_at": ("入会时间", "入會時間", "Joined at", "入会日期", "入會日期", "join date"),
    "join_channel": ("入会渠道", "入會管道", "Join channel", "channel"),
    "notes": ("备注", "備註", "Notes", "note"),
    "wechat_openid": ("微信OpenID", "微信OpenID", "WeChat OpenID", "openid"),
    "wechat_unionid": ("微信UnionID", "微信UnionID", "WeChat UnionID", "unionid"),
    "app_user": ("App用户ID", "App使用者ID", "App user ID", "app user"),
    "ecommerce_account": ("网店账号", "網路商店帳號", "Online shop account",
                          "ecommerce account"),
}

PURCHASE_COLUMNS: dict[str, tuple[str, ...]] = {
    "transaction_id": ("交易号", "交易編號", "Transaction ID", "小票号", "单号", "pos id",
                       "transaction"),
    "store": ("门店", "門市", "Store", "门店编码", "門市代碼", "store code"),
    "occurred_at": ("交易时间", "交易時間", "Time of purchase", "时间", "時間",
                    "occurred at", "date"),
    "member_phone": ("会员手机号", "會員手機號碼", "Member mobile phone", "手机号", "手機號碼",
                     "phone", "mobile phone"),
    "member_card": ("会员卡号", "會員卡號", "Member card number", "卡号", "卡號", "card",
                    "card number"),
    "sku": ("商品编码", "商品編號", "SKU", "货号", "貨號"),
    "item": ("商品名称", "商品名稱", "Item", "品名", "name", "item name"),
    "category": ("品类", "品類", "Category", "类别", "類別"),
    "counter": ("专柜", "專櫃", "Counter", "专柜编码", "專櫃代碼", "counter code"),
    "quantity": ("数量", "數量", "Quantity", "qty"),
    "amount": ("金额", "金額", "Amount", "line amount"),
    "payment_method": ("支付方式", "付款方式", "Payment method", "payment"),
}

COLUMNS = {"members": MEMBER_COLUMNS, "purchases": PURCHASE_COLUMNS}
LANGUAGE_INDEX = {"zh_CN": 0, "zh_TW": 1, "en": 2}
IDENTITY_FIELDS = ("wechat_openid", "wechat_unionid", "app_user", "ecommerce_account")


def fold(header: object) -> str:
    """A header as compared: NFKC, no spaces or underscores, lower case."""
    text = unicodedata.normalize("NFKC", str(header or ""))
    return "".join(ch for ch in text if not ch.isspace() and ch != "_").lower()


def header(kind: str, field: str, language: str) -> str:
    """The header of ``field`` written in ``language`` (``en`` when unknown)."""
    return COLUMNS[kind][field][LANGUAGE_INDEX.get(language, 2)]


def header_index(kind: str) -> dict[str, str]:
    """Folded header -> field, for every accepted spelling of ``kind``'s columns."""
    index: dict[str, str] = {}
    for field, names in COLUMNS[kind].items():
        for name in (field,) + names:
            index.setdefault(fold(name), field)
    return index
