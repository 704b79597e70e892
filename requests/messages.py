"""What a person is told when a share-application action is refused. Tests assert on these constants."""

from workflows.taking import MSG_ALREADY_YOURS, MSG_HANDOVER_TARGET_INVALID, MSG_TASK_TAKEN  # noqa: F401  (tasks)

MSG_NOT_AN_APPLICANT = "只有本部门的申请人可以提出或修改共享申请。"
MSG_RESOURCE_NOT_PUBLISHED = "该资源尚未注册发布，不能申请共享。"
MSG_RESOURCE_WITHDRAWN = "该资源已撤销、不再共享，不能授权；请作出不予授权决定。"
MSG_RESOURCE_GONE = "该资源{status}，不能提交共享申请。"
MSG_OWN_RESOURCE = "本部门的资源无需申请共享。"
MSG_PENDING_APPLICATION = (
    "本部门已有该资源的申请 {reference}（{state}），请勿重复申请；如需调整，请打开该申请修改或撤回。"
)
MSG_NOT_EDITABLE = "只有草稿或退回补正的申请可以修改或提交。"
MSG_NOT_WITHDRAWABLE = "申请已有决定或已撤回，不能撤回。"
MSG_ITEMS_REQUIRED = "请至少选择一个信息项。"
MSG_ITEMS_NOT_IN_RESOURCE = "所选信息项不属于该资源：{names}。"
MSG_METHOD_NOT_OFFERED = "该资源不提供此共享方式，可选：{methods}。"
MSG_PERIOD_INVALID = "使用期限的结束日期不能早于开始日期。"
MSG_PERIOD_TOO_LONG = "使用期限不能超过 {years} 年。"
MSG_PERIOD_OVER = "使用期限已经结束，请填写今后的期限。"
MSG_GRANT_PERIOD_INVALID = "授权期限的结束日期不能早于开始日期。"
MSG_GRANT_PERIOD_OVER = "授权期限已经结束，不能授权已过去的期限；请填写今后的期限，或作不予授权决定。"
MSG_PURPOSES_REQUIRED = "请选择一项或多项应用方式（减材料、减填写、业务协同）。"
MSG_FIELD_REQUIRED = "此项为必填项。"
MSG_ATTACHMENT_TOO_LARGE = "附件“{name}”超过 {limit} 的大小限制。"
MSG_ATTACHMENT_NOT_REMOVABLE = "附件“{name}”已随申请提交给提供部门，不能删除；可上传新的附件说明更正。"
MSG_ATTACHMENT_BAD_TYPE = "附件“{name}”不是 PDF、PNG 或 JPEG 文件（按文件内容判断，与扩展名无关）。"
MSG_NOT_OPEN = "该申请当前不在待处理状态，可能已被他人处理，请刷新页面。"
MSG_ALREADY_DECIDED = "该申请已有决定（{state}），可能已被他人处理；请刷新页面查看。"
MSG_NOT_AT_STEP = "该申请当前处于“{state}”，没有待办理的这一步骤；可能已被他人处理，请刷新页面。"
MSG_NOT_PERMITTED = "您无权办理该申请的这一步骤。"
MSG_TASK_NOT_YOURS = MSG_TASK_TAKEN  # one wording wherever a colleague holds the task
MSG_SELF_DECISION = "不能审核本部门提出或本人提交的申请（职责分离）。"
MSG_GRANT_ITEMS_OUTSIDE = "授权信息项必须是申请信息项的子集。"
MSG_GRANT_PERIOD_OUTSIDE = "授权期限不能超出申请期限（{start} 至 {end}）。"
MSG_GRANT_ITEMS_RETIRED = "信息项{names}已从资源目录中删除，不能授权。"
MSG_NEGATIVE_LISTED = "{what}已列入共享负面清单（{basis}），不得授权；请作不予授权决定。"
MSG_NEGATIVE_LISTED_AT_COUNTERSIGN = "{what}已于审核后列入共享负面清单（{basis}），不能会签生效；请退回审核人。"
MSG_REFUSAL_REASON_REQUIRED = "不予授权必须选择理由代码。"
MSG_REFUSAL_REASON_RESERVED = "该理由代码已停用或仅供系统自动决定使用，请另选理由。"
MSG_REFUSAL_TEXT_REQUIRED = "不予授权必须说明理由。"
MSG_LEGAL_BASIS_REQUIRED = "该资源或信息项属于不予共享，须引用法律法规依据（名称及条款）。"
MSG_LEGAL_BASIS_REQUIRED_BY_REASON = "以“{reason}”为理由不予授权，须引用法律法规依据（名称及条款）。"
MSG_CITATION_INCOMPLETE = "请写明法律法规的名称（用书名号《》）和条款（如第十三条），或从列表中选择依据。"
MSG_METHOD_BROADER = "授权的共享方式不能宽于申请的方式（{requested}）：只可改为核验、查询等更窄的方式。"
MSG_ADJUSTMENT_REASON_REQUIRED = "部分同意（少授信息项、改变共享方式或缩短期限）须说明理由。"
MSG_UNCONDITIONAL_AS_REQUESTED = (
    "无条件共享的资源须按申请授权，信息项、共享方式和期限都不能缩减；如有异议，请向政数局提出共享类型异议。"
)
MSG_UNCONDITIONAL_NO_CONDITIONS = (
    "无条件共享的资源不能附加其他共享条件（标准条款除外）；如认为需要条件，请向政数局提出共享类型异议。"
)
MSG_NOT_SHARED_NOT_GRANTABLE = (
    "该资源在目录中属于不予共享类，不能授权：请作不予授权决定并引用法律法规依据，或由提供部门先调整目录的共享类型。"
)
MSG_COUNTERSIGN_OWN_PROPOSAL = "会签人不能是拟同意该授权的审核人本人（职责分离）：请由本部门其他负责人会签，或选择“不同意，退回审核人”收回拟同意意见。"
MSG_UNCONDITIONAL_NOT_REFUSABLE = "无条件共享的资源不能拒绝，如有异议请向政数局提出共享类型异议。"
MSG_DISPUTE_ONLY_UNCONDITIONAL = "只有无条件共享的资源可以提出共享类型异议。"
MSG_DISPUTE_SETTLED = "政数局已就该申请的共享类型异议作出协调意见（异议不成立），不能再次提出；请按申请授权。"
MSG_COMMENT_REQUIRED = "请填写意见。"
MSG_NOT_OVERDUE_QUEUE = "只有提请协调中的申请可以由政数局处理。"
MSG_WORKDAYS_INVALID = "限期须为 1 至 30 个工作日。"

# ---------------------------------------------------------------- application scenarios (应用场景授权)

MSG_SCENARIO_NOT_A_PROPOSER = "只有部门的申请人或政数局可以提出应用场景。"
MSG_SCENARIO_VALIDITY_INVALID = "有效期的结束日期不能早于开始日期。"
MSG_SCENARIO_VALIDITY_OVER = "有效期已经结束，请填写今后的有效期。"
MSG_SCENARIO_VALIDITY_TOO_LONG = "有效期不能超过 {years} 年。"
MSG_SCENARIO_CONSUMERS_REQUIRED = "请至少选择一个使用部门。"
MSG_SCENARIO_PARTS_REQUIRED = "请至少列出一项所需的数据资源。"
MSG_SCENARIO_PART_REPEATED = "数据资源“{resource}”列出了两次，请合并为一项。"
MSG_SCENARIO_RESOURCE_NOT_PUBLISHED = "数据资源“{resource}”尚未注册发布或已撤销，不能列入应用场景。"
MSG_SCENARIO_ONLY_CONSUMER = "数据资源“{resource}”的提供部门是唯一的使用部门，无需授权；请增加其他使用部门或删去该项。"
MSG_SCENARIO_NOT_OPEN = "该应用场景当前处于“{state}”，不能办理这一步骤；可能已被他人处理，请刷新页面。"
MSG_SCENARIO_NOT_PERMITTED = "您无权办理该应用场景的这一步骤。"
MSG_SCENARIO_BUREAU_ONLY = "只有政数局可以办理这一步骤。"
MSG_SCENARIO_REASON_REQUIRED = "请说明理由。"
MSG_SCENARIO_NOTHING_CONFIRMED = "没有提供部门确认共享的数据，不能授权；请作出不予授权决定。"
MSG_SCENARIO_PARTS_NOT_CONFIRMED = "只能授权提供部门已确认共享的数据：{resources}。"
MSG_SCENARIO_PARTS_TO_AUTHORIZE = "请至少选择一项已确认共享的数据予以授权。"
MSG_SCENARIO_RESOURCE_GONE = "数据资源“{resource}”已从目录撤销，不能授权；请不选该项。"
MSG_SCENARIO_ITEMS_NEGATIVE = "数据资源“{resource}”的{what}已列入共享负面清单（{basis}），不能授权；请不选该项。"
MSG_SCENARIO_NOT_AUTHORIZED = "应用场景“{name}”当前处于“{state}”，不能据以申请；请按一般共享申请办理。"
MSG_PART_NOT_OPEN = "该项数据当前处于“{state}”，没有待答复的这一步骤；可能已被他人处理，请刷新页面。"
MSG_PART_NOT_YOURS = "只有提供部门的审核人可以答复本部门数据的共享（超期后由政数局协调）。"
MSG_PART_ITEMS_REQUIRED = "请至少确认一个信息项；全部不同意共享的，请作不予共享答复。"
MSG_SCENARIO_EDIT_NOT_PROPOSER = "只有提出该应用场景的部门可以修改它。"
MSG_SCENARIO_NOT_EDITABLE = (
    "应用场景已有提供部门答复（或已不在提出、确认阶段），不能再修改；如需调整，请由政数局作出不予授权决定后重新提出。"
)
MSG_SCENARIO_PART_NOT_REMOVABLE = (
    "数据资源“{resource}”已送提供部门确认，不能删去；可修改其信息项、共享方式和依据，或由政数局不予授权后重新提出。"
)
MSG_SCENARIO_RENEW_STATE = "应用场景当前处于“{state}”，只有已授权或已暂停的应用场景可以续期。"
MSG_SCENARIO_RENEW_TOO_EARLY = "有效期届满前 {days} 天内方可续期（有效期至 {end}）。"
MSG_SCENARIO_RENEW_NOT_LATER = "续期后的有效期须晚于现有效期（{end}）。"
MSG_SCENARIO_NOT_CONSUMER = "本部门不是应用场景“{name}”的使用部门，不能据以申请；请按一般共享申请办理。"

# The applicant's receipt on submission (a notice, not an error).
MSG_RECEIPT = (
    "共享申请{reference}（{resource}）已{verb}至{provider}。提供部门应于{due}（北京时间）前答复；"
    "逾期未答复的，由政数局协调。"
)
