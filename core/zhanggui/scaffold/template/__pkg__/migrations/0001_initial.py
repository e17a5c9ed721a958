"""create table ${name}_note

Written by `zhanggui migrations make ${name}`; reviewed before committing.
"""
from zhanggui.schema import CreateTable

operations = [
    CreateTable('${name}_note', [
        ('id', 'AutoField', {}),
        ('title', 'CharField', {'max_length': 200}),
        ('member_id', 'MemberRef', {'null': True, 'index': True}),
        ('source', 'CharField', {'null': True, 'unique': True, 'max_length': 80}),
        ('created_at', 'UTCDateTimeField', {'default': 'call:zhanggui.db.utcnow'}),
    ]),
]
