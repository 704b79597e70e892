"""The dashboard's messages (情况通报, 考核权重)."""

MSG_NOT_BUREAU = "只有政数局可以起草、修改和印发情况通报。"
MSG_ALREADY_ISSUED = "该情况通报已印发，不能再修改或重复印发。"
MSG_PERIOD_INVALID = "统计期截止日期不能早于起始日期。"
MSG_TEXT_REQUIRED = "请填写标题和通报的三部分内容。"
MSG_TEXT_TOO_LONG = "“{field}”不能超过{limit}字。"
MSG_NO_ISSUER = "印发人须属于政数局。"
MSG_WEIGHTS_SUM = "各项权重之和应为100。"
