"""What members answers to marketing: e-mail addresses, audience criteria, contacts
with consent, spend for campaign evaluation, and withdrawal by unsubscribe link.

The campaigns plugin asks through hooks (``zhanggui_audience_criteria``,
``zhanggui_audience_universe``, ``zhanggui_marketing_contacts``,
``zhanggui_member_spend``, ``zhanggui_withdraw_consent``) and never imports this.
"""
