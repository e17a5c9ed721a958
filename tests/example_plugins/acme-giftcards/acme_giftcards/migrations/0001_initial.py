"""create table acme_giftcards_card

Written by `zhanggui migrations make acme_giftcards`; reviewed before committing.
"""
from zhanggui.schema import CreateTable

operations = [
    CreateTable('acme_giftcards_card', [
        ('id', 'AutoField', {}),
        ('code', 'CharField', {'unique': True, 'max_length': 20}),
        ('member_id', 'MemberRef', {'null': True, 'index': True}),
        ('balance', 'MoneyField', {}),
        ('currency', 'CharField', {'max_length': 3, 'default': 'CNY'}),
        ('source', 'CharField', {'null': True, 'unique': True, 'max_length': 64}),
        ('issued_at', 'UTCDateTimeField', {'default': 'call:zhanggui.db.utcnow'}),
    ]),
]
