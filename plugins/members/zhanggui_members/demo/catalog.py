"""The fixed ingredients of the demo chain: stores, counters, goods, names, calendar.

Pure data, no randomness; :mod:`zhanggui_members.demo.chain` draws from it with the demo's
seeded generator.  Prices are in CNY fen; stores in Taipei and Hong Kong convert them.
None of these strings may hold a tab, newline or backslash (the PostgreSQL bulk copy
writes them unescaped; a test checks).
"""
from __future__ import annotations

import datetime as dt

# code, name, city, region, currency, timezone, relative traffic, price factor, rounding (fen)
COUNTRY_OF_CURRENCY = {"CNY": "CN", "TWD": "TW", "HKD": "HK", "MOP": "MO"}

STORES = [
    ("SH01", "上海南京西路店", "上海", "华东", "CNY", "Asia/Shanghai", 1.6, 1.0, 1),
    ("BJ01", "北京王府井店", "北京", "华北", "CNY", "Asia/Shanghai", 1.4, 1.0, 1),
    ("HZ01", "杭州湖滨店", "杭州", "华东", "CNY", "Asia/Shanghai", 1.0, 1.0, 1),
    ("SZ01", "深圳万象城店", "深圳", "华南", "CNY", "Asia/Shanghai", 1.1, 1.0, 1),
    ("CD01", "成都春熙路店", "成都", "西南", "CNY", "Asia/Shanghai", 1.0, 1.0, 1),
    ("GZ01", "广州天河店", "广州", "华南", "CNY", "Asia/Shanghai", 1.1, 1.0, 1),
    ("TP01", "台北信義店", "台北", "台灣", "TWD", "Asia/Taipei", 0.6, 4.4, 100),
    ("HK01", "香港銅鑼灣店", "香港", "香港", "HKD", "Asia/Hong_Kong", 0.6, 1.08, 100),
]

# category, code, share of lines (female, male), counters (专柜), goods:
# (name, CNY fen low, CNY fen high, how sold: unit | kg | cup, season or None)
CATEGORIES = [
    ("化妆品", "COS", (14, 4), ("花漾美妆", "雪肌堂", "兰亭香氛"), [
        ("修护精华液", 38000, 138000, "unit", None), ("保湿面霜", 26000, 168000, "unit", None),
        ("哑光口红", 22000, 42000, "unit", None), ("粉底液", 32000, 62000, "unit", None),
        ("卸妆油", 18000, 38000, "unit", None), ("防晒乳", 16000, 36000, "unit", None),
        ("淡香水 50ml", 68000, 158000, "unit", None)]),
    ("女装", "WOM", (12, 2), ("素锦", "衣之恋", "云裳"), [
        ("真丝连衣裙", 89900, 299900, "unit", None), ("双面呢大衣", 159900, 699900, "unit", None),
        ("针织开衫", 39900, 129900, "unit", None), ("阔腿西裤", 45900, 129900, "unit", None),
        ("印花衬衫", 29900, 89900, "unit", None)]),
    ("男装", "MEN", (3, 12), ("雅仕", "劲朗"), [
        ("商务衬衫", 29900, 89900, "unit", None), ("羊绒衫", 89900, 259900, "unit", None),
        ("休闲夹克", 69900, 199900, "unit", None), ("西服套装", 199900, 699900, "unit", None),
        ("直筒牛仔裤", 39900, 99900, "unit", None)]),
    ("珠宝", "JEW", (3, 2), ("金玉满堂", "璀璨珠宝"), [
        ("足金吊坠", 180000, 980000, "unit", None), ("18K金钻戒", 380000, 2580000, "unit", None),
        ("珍珠耳钉", 68000, 268000, "unit", None), ("925银手链", 29900, 89900, "unit", None)]),
    ("鞋包", "SHB", (7, 5), ("行云鞋履", "雅致皮具"), [
        ("真皮单鞋", 59900, 159900, "unit", None), ("运动跑鞋", 49900, 129900, "unit", None),
        ("通勤托特包", 89900, 399900, "unit", None), ("男士皮带", 29900, 79900, "unit", None)]),
    ("超市生鲜", "FRS", (26, 22), ("精品超市", "鲜食广场"), [
        ("智利车厘子", 8900, 16900, "kg", None), ("有机纯牛奶 12盒", 6900, 8900, "unit", None),
        ("五常大米 5kg", 7900, 12900, "unit", None), ("挪威三文鱼", 19800, 26800, "kg", None),
        ("土鸡蛋 30枚", 3900, 5900, "unit", None), ("澳洲牛排", 8900, 19900, "unit", None),
        ("鲜切花束", 4900, 12900, "unit", None), ("精品水果礼盒", 12800, 39800, "unit", None),
        ("月饼礼盒", 19800, 58800, "unit", "midautumn"),
        ("年货坚果礼盒", 16800, 39800, "unit", "spring")]),
    ("咖啡", "CAF", (14, 16), ("街角咖啡",), [
        ("拿铁", 2800, 3600, "cup", None), ("美式", 2200, 3000, "cup", None),
        ("手冲单品", 3800, 5800, "cup", None), ("燕麦拿铁", 3200, 3800, "cup", None),
        ("黄油可颂", 1800, 2600, "unit", None)]),
    ("家电", "APL", (4, 8), ("智享家电",), [
        ("空气炸锅", 39900, 89900, "unit", None), ("扫地机器人", 199900, 499900, "unit", None),
        ("电动牙刷", 29900, 89900, "unit", None), ("高速吹风机", 39900, 299900, "unit", None),
        ("破壁料理机", 69900, 159900, "unit", None)]),
    ("儿童", "KID", (10, 6), ("小鹿童装", "童趣玩具"), [
        ("童装卫衣", 15900, 39900, "unit", None), ("益智积木", 19900, 89900, "unit", None),
        ("儿童绘本", 3900, 12900, "unit", None), ("婴儿纸尿裤", 12900, 19900, "unit", None),
        ("儿童运动鞋", 25900, 59900, "unit", None)]),
]

# How a season changes what people buy: {season: {category code: multiplier}}
SEASON_BOOST = {
    "double11": {"COS": 3.0, "APL": 3.0, "WOM": 1.6, "SHB": 1.5, "KID": 1.5},
    "618": {"APL": 2.5, "COS": 2.0, "SHB": 1.5},
    "spring": {"FRS": 1.6, "WOM": 1.4, "MEN": 1.4, "KID": 1.8, "JEW": 2.0},
    "midautumn": {"FRS": 2.0, "JEW": 1.2},
    "valentine": {"JEW": 4.0, "COS": 2.0},
    "womensday": {"COS": 2.5, "WOM": 1.5},
    "national": {"WOM": 1.3, "MEN": 1.3, "APL": 1.5},
}
SEASONS = ("normal",) + tuple(SEASON_BOOST)

# Spring Festival (春节) and Mid-Autumn (中秋) move with the lunar calendar.
SPRING_FESTIVAL = {2023: (1, 22), 2024: (2, 10), 2025: (1, 29), 2026: (2, 17),
                   2027: (2, 6), 2028: (1, 26), 2029: (2, 13), 2030: (2, 3),
                   2031: (1, 23), 2032: (2, 11)}
MID_AUTUMN = {2023: (9, 29), 2024: (9, 17), 2025: (10, 6), 2026: (9, 25), 2027: (9, 15),
              2028: (10, 3), 2029: (9, 22), 2030: (9, 12), 2031: (10, 1), 2032: (9, 19)}


def day_traffic(day: dt.date) -> tuple[float, str]:
    """Relative number of purchases on ``day`` and the season that shapes baskets."""
    weight = {4: 1.15, 5: 1.6, 6: 1.5}.get(day.weekday(), 1.0)   # Fri, Sat, Sun
    season = "normal"
    md = (day.month, day.day)
    if md == (11, 11):
        weight, season = weight * 6.0, "double11"
    elif day.month == 11 and 1 <= day.day <= 12:
        weight, season = weight * 1.8, "double11"
    elif md == (6, 18):
        weight, season = weight * 4.0, "618"
    elif day.month == 6 and 1 <= day.day <= 20:
        weight, season = weight * 1.5, "618"
    elif md in ((2, 14), (5, 20)):
        weight, season = weight * 1.6, "valentine"
    elif md == (3, 8):
        weight, season = weight * 1.5, "womensday"
    elif day.month == 10 and day.day <= 7:
        weight, season = weight * 1.8, "national"
    elif md in ((12, 24), (12, 25), (12, 31), (1, 1)):
        weight *= 1.4
    for table, name in ((SPRING_FESTIVAL, "spring"), (MID_AUTUMN, "midautumn")):
        if day.year in table:
            delta = (day - dt.date(day.year, *table[day.year])).days
            if name == "spring" and -14 <= delta <= -2:      # 年货 shopping
                weight, season = weight * 2.2, name
            elif name == "spring" and -1 <= delta <= 2:      # 除夕 to 初三: at home
                weight, season = weight * 0.6, name
            elif name == "spring" and 3 <= delta <= 6:        # 初四 to 初七: malls again
                weight, season = weight * 1.6, name
            elif name == "midautumn" and -10 <= delta <= 0:   # mooncakes and gifts
                weight, season = weight * 1.8, name
    return weight, season


# Opening hours 10:00-22:00, lunch and evening peaks; online orders round the clock.
STORE_HOURS = {10: 3, 11: 5, 12: 7, 13: 7, 14: 6, 15: 6, 16: 6, 17: 6, 18: 7, 19: 9,
               20: 8, 21: 4}
ONLINE_HOURS = {0: 6, 1: 2, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 2, 8: 3, 9: 4, 10: 5, 11: 5,
                12: 6, 13: 5, 14: 4, 15: 4, 16: 4, 17: 4, 18: 5, 19: 6, 20: 8, 21: 9,
                22: 9, 23: 7}

PAYMENT_MIX = {
    "CNY": {"wechat_pay": 42, "alipay": 33, "bank_card": 9, "unionpay": 5,
            "stored_value": 4, "cash": 3, "gift_card": 2, "coupon": 2},
    "TWD": {"bank_card": 45, "cash": 25, "line_pay": 20, "gift_card": 5, "coupon": 5},
    "HKD": {"octopus": 30, "bank_card": 35, "cash": 15, "alipay": 10, "wechat_pay": 10},
}

# Surnames with their approximate share of the population (per cent).
SURNAMES = [
    ("王", 7.1), ("李", 7.0), ("张", 6.6), ("刘", 5.4), ("陈", 4.6), ("杨", 3.1), ("黄", 2.5),
    ("赵", 2.0), ("吴", 2.0), ("周", 1.9), ("徐", 1.3), ("孙", 1.2), ("马", 1.2), ("朱", 1.1),
    ("胡", 1.1), ("郭", 1.1), ("何", 1.0), ("林", 1.0), ("高", 1.0), ("罗", 0.9), ("郑", 0.8),
    ("梁", 0.8), ("谢", 0.6), ("宋", 0.6), ("唐", 0.6), ("许", 0.5), ("韩", 0.5), ("冯", 0.5),
    ("邓", 0.5), ("曹", 0.5), ("彭", 0.5), ("曾", 0.5), ("肖", 0.5), ("田", 0.4), ("董", 0.4),
    ("袁", 0.4), ("潘", 0.4), ("于", 0.4), ("蒋", 0.4), ("蔡", 0.4), ("余", 0.4), ("杜", 0.4),
    ("叶", 0.4), ("程", 0.3), ("苏", 0.3), ("魏", 0.3), ("吕", 0.3), ("丁", 0.3), ("任", 0.3),
    ("沈", 0.3), ("姚", 0.3), ("卢", 0.3), ("姜", 0.3), ("崔", 0.3), ("钟", 0.3), ("谭", 0.3),
    ("陆", 0.3), ("汪", 0.3), ("范", 0.3), ("金", 0.3), ("石", 0.3), ("廖", 0.3), ("贾", 0.2),
    ("夏", 0.2), ("韦", 0.2), ("付", 0.2), ("方", 0.2), ("白", 0.2), ("邹", 0.2), ("孟", 0.2),
    ("熊", 0.2), ("秦", 0.2), ("邱", 0.2), ("江", 0.2), ("尹", 0.2), ("薛", 0.2), ("闫", 0.2),
    ("段", 0.2), ("雷", 0.2), ("侯", 0.2), ("龙", 0.2), ("史", 0.2), ("陶", 0.2), ("黎", 0.2),
    ("贺", 0.2), ("顾", 0.2), ("毛", 0.2), ("郝", 0.2), ("龚", 0.2), ("邵", 0.2), ("万", 0.2),
    ("钱", 0.2), ("严", 0.1), ("覃", 0.1), ("武", 0.1), ("戴", 0.1), ("莫", 0.1), ("孔", 0.1),
    ("欧阳", 0.05), ("上官", 0.01), ("司马", 0.01),
]
# Given names by sex and generation (born before 1975 / later).
GIVEN = {
    ("female", "older"): "秀英 桂英 玉兰 淑珍 丽华 秀兰 凤英 春梅 红霞 海燕 丽娟 红 丽 芳 霞 燕 萍 梅 静 敏",
    ("female", "younger"): "子涵 欣怡 梓涵 雨桐 诗涵 可馨 思琪 佳怡 雅婷 一诺 若汐 语桐 梦瑶 静怡 "
                           "婉清 晓雯 嘉怡 心怡 婷 静 敏 琳 雪 颖 倩 欣 怡 萱 彤 悦",
    ("male", "older"): "建国 国强 建华 志强 建军 国华 卫东 志明 海涛 永刚 伟 强 军 勇 刚 平 华 明 斌 涛",
    ("male", "younger"): "浩然 子轩 宇轩 俊杰 博文 梓豪 皓轩 浩宇 一鸣 宇航 明轩 思远 天佑 子墨 "
                         "家乐 磊 杰 超 鹏 鑫 宇 浩 凯 帆 晨 阳 博",
}
# Taipei and Hong Kong members write their names in traditional characters.
LOCAL_NAMES = {
    "TWD": ("陳 林 黃 張 李 王 吳 劉 蔡 楊 許 鄭 謝 郭 洪 曾 邱 廖 賴 周",
            "怡君 雅婷 淑芬 佳穎 詩涵 欣妤 宜蓁 雅雯 心怡 佩珊 美玲 惠如",
            "家豪 志明 冠宇 承恩 俊傑 宗翰 建宏 柏翰 彥廷 冠廷 信宏 志豪"),
    "HKD": ("陳 李 張 黃 何 林 梁 吳 王 劉 鄭 謝 蔡 鄧 曾 羅 葉",
            "嘉欣 詠詩 凱琳 穎欣 曉彤 美儀 慧敏 潔瑩 麗珊 靜雯",
            "家俊 志偉 浩然 嘉豪 俊傑 偉明 子健 卓謙 國榮 文傑"),
}

# Mainland mobile prefixes of the three carriers.
MOBILE_PREFIXES = ("134 135 136 137 138 139 147 150 151 152 157 158 159 172 178 182 183 "
                   "184 187 188 195 198 130 131 132 145 155 156 166 175 176 185 186 196 "
                   "133 149 153 173 177 180 181 189 190 191 193 199").split()

MEMBER_NOTES = ["偏好周末到店", "VIP客户，新品到店请电话通知", "对坚果过敏", "只接受短信联系",
                "生日月赠送礼品卡", "常购婴儿用品", "喜欢手冲咖啡", "需要开具增值税发票",
                "曾投诉配送延迟，已妥善处理", "大客户，团购月饼"]
