package demo

import (
	"slices"
	"strings"
	"time"
)

// The word lists below are the raw material of the generated Chinese text:
// names, work units, support measures and ledger descriptions. Changing any
// of them changes the generated data (but it stays deterministic).

// surnames are common Chinese surnames, roughly most frequent first.
var surnames = strings.Fields(`张 王 李 刘 陈 杨 黄 赵 周 吴 徐 孙 胡 朱 高 林 何 郭 马 罗 梁 宋 郑 谢 韩 唐 冯 于 董 萧
	程 曹 袁 邓 许 傅 沈 曾 彭 吕 苏 卢 蒋 蔡 贾 丁 魏 薛 叶 阎 余 潘 杜 戴 夏 钟 汪 田 任 姜 范 方 石 姚 谭 廖 邹 熊 金 陆
	郝 孔 白 崔 康 毛 邱 秦 江 史 顾 侯 邵 孟 龙 万 段 雷 钱 汤 尹 黎 易 常 武 乔 贺 赖 龚 文`)

// Given names: "old" ones for people born before about 1980, "new" ones for
// younger people.
var (
	maleOld = strings.Fields(`建国 建华 建军 国强 国平 国华 志强 志明 志刚 德明 德华 春生 长青 新民 卫东 红军 光明 立新
		学文 正清 海涛 文军 振华 永红 德胜 金生 桂生 跃进 爱民 伟 强 军 勇 平 刚 明 华 辉 斌 林 波 峰 兵 雄 松`)
	maleNew = strings.Fields(`子豪 俊杰 浩然 宇航 家辉 晓东 博文 一鸣 子涵 梓轩 浩宇 思远 天宇 皓轩 文博 嘉豪
		鹏 杰 涛 超 凯 鑫 浩 宇 帆 磊 健 俊 翔 阳 亮 毅`)
	femaleOld = strings.Fields(`秀英 桂英 玉兰 春梅 海燕 小红 丽华 雪梅 淑珍 金凤 素芳 凤英 腊梅 秋菊 冬梅 爱华 桂兰 玉梅
		建英 红霞 菊香 春兰 芳 娟 敏 静 丽 艳 霞 玲 琴 红 梅 兰 英 珍 萍`)
	femaleNew = strings.Fields(`晓燕 佳怡 欣怡 雨涵 思琪 美玲 诗涵 梦瑶 雨欣 紫涵 可欣 婷婷 佳琪 子萱 晓雯 雅琪
		娜 婷 燕 倩 颖 洁 琳 蕾 薇 露 欢 莉`)
)

// ethnicities other than 汉族 found in Hunan, for a small share of deputies.
var minorities = []string{"土家族", "苗族", "回族", "瑶族", "侗族"}

// mobilePrefixes are the first three digits of generated mobile numbers.
var mobilePrefixes = strings.Fields(`130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159
	180 181 182 183 186 187 188 189`)

// Company name parts for private-sector deputies.
var (
	firmNames      = strings.Fields(`鑫源 恒达 华湘 兴旺 顺通 金穗 湘北 永盛 屈原 汨江 龙舟 天润 绿源 宏发 康达 罗城`)
	firmIndustries = strings.Fields(`再生资源 建材 农业开发 竹木制品 食品 粽子食品 物流 电子科技 米业 茶业 生态农业 纸业`)
	coopProducts   = strings.Fields(`猕猴桃种植 竹花鸡养殖 竹笋加工 油茶种植 优质稻种植 生猪养殖 蔬菜种植`)
)

// townUnit is the government of a township: "弼时镇人民政府", or the centre
// itself for 营田公务中心.
func townUnit(township string) string {
	if strings.HasSuffix(township, "镇") || strings.HasSuffix(township, "乡") {
		return township + "人民政府"
	}
	return township
}

// Terms (届次) of the congresses in the seed year.
var terms = map[string]string{
	"prefectural": "第七届",
	"county":      "第十二届",
	"township":    "第十八届",
}

// returnComments are township chairs' reasons for returning an entry;
// returnMoneyComments are for entries with an amount.
var (
	returnComments = []string{
		"请补充走访照片和具体时间",
		"帮扶内容过于简单，请写明具体措施和效果",
		"日期与乡镇登记不一致，请核对后重新提交",
		"请写明户主本人是否在场及反映的问题",
	}
	returnMoneyComments = []string{
		"金额与票据不符，请核实后重新提交",
		"受益人填写有误，请更正",
		"请补充发放签收单",
	}
)

// seasons limits texts that mention a season to the months it covers.
var seasons = []struct {
	word   string
	months []time.Month
}{
	{"春耕", []time.Month{2, 3, 4, 5}},
	{"化肥", []time.Month{2, 3, 4, 5, 6}},
	{"月饼", []time.Month{8, 9, 10}},
	{"棉被", []time.Month{11, 12, 1, 2}},
	{"电风扇", []time.Month{5, 6, 7, 8}},
	{"学费", []time.Month{2, 3, 8, 9}},
}

// inSeason reports whether text fits month.
func inSeason(text string, month time.Month) bool {
	for _, s := range seasons {
		if strings.Contains(text, s.word) && !slices.Contains(s.months, month) {
			return false
		}
	}
	return true
}

// entryTexts are ledger descriptions by kind; "%s" (if present) takes the
// beneficiary's name.
var entryTexts = map[string][]string{
	"visit": {
		"走访了解家庭收入和就医情况",
		"入户走访，了解春耕生产准备情况",
		"上门走访，宣讲健康扶贫和医疗报销政策",
		"走访了解子女上学情况，鼓励孩子安心读书",
		"与户主商量发展产业的打算，帮助算好收支账",
		"入户走访，查看住房安全情况",
		"电话回访，询问家人身体恢复情况",
		"走访了解务工收入，核实帮扶措施落实情况",
		"陪同村干部入户，填写扶贫手册收入登记",
		"走访慰问，听取户主对帮扶工作的意见",
		"查看猕猴桃苗长势，协调技术员上门指导",
		"走访了解饮水安全和用电情况",
	},
	"cash": {
		"发放慰问金",
		"资助家人医疗费用",
		"资助产业发展启动资金",
		"资助购买种苗和化肥",
		"节日慰问金",
	},
	"goods": {
		"送去大米两袋、食用油一桶",
		"送去棉被两床、冬衣三件",
		"送去化肥十袋，支持春耕生产",
		"赠送鸡苗五十羽",
		"为孩子送去书包、文具等学习用品",
		"送去月饼、牛奶等节日慰问品",
		"赠送电风扇一台",
	},
	"job": {
		"推荐%s到汨罗循环经济产业园务工，月工资约3000元",
		"联系粽子加工企业，安排%s就业",
		"协调安排%s担任村保洁公益性岗位",
		"推荐%s到本地竹木加工厂务工",
	},
	"training": {
		"组织%s参加猕猴桃栽培技术培训",
		"推荐%s参加电商实用技能培训",
		"组织%s参加竹花鸡养殖技术培训",
		"推荐%s参加家政服务培训并取得证书",
	},
	"school_aid": {
		"资助%s本学期学费",
		"为%s发放助学金",
		"资助%s购买学习用品和校服",
	},
	"project": {
		"协调光伏发电项目入股分红",
		"协调修建入户道路",
		"协调山塘清淤项目，解决灌溉用水",
		"协助加入竹笋加工合作社，签订收购协议",
	},
	"policy": {
		"协助办理慢性病门诊卡",
		"协助申请危房改造补助",
		"落实低保政策，协助完成年审",
		"协助申请雨露计划补助",
		"协助办理扶贫小额信贷",
		"落实城乡居民医保代缴",
	},
	"other": {
		"帮助联系销售稻谷、土鸡蛋等农产品",
		"协调解决宅基地纠纷",
		"帮忙修缮屋顶漏雨",
	},
}

// measureTexts are support measures by type: content (with one %d for a
// quantity, if the scale has one), scale unit and funds range in yuan.
type measureText struct {
	content      string
	unit         string // "" = no scale
	qtyLo, qtyHi int
	fundsLo      int // yuan; 0..0 = no funds
	fundsHi      int
}

var measureTexts = map[string][]measureText{
	"industry": {
		{"发展猕猴桃种植", "亩", 1, 5, 1000, 6000},
		{"养殖竹花鸡", "羽", 50, 300, 1000, 5000},
		{"加入竹笋加工合作社，年底分红", "", 0, 0, 1000, 3000},
		{"发展油茶种植", "亩", 2, 10, 1000, 5000},
		{"养殖生猪", "头", 2, 10, 2000, 8000},
		{"种植优质稻", "亩", 3, 15, 500, 3000},
	},
	"employment": {
		{"推荐到汨罗循环经济产业园务工", "人", 1, 2, 0, 0},
		{"安排村保洁公益性岗位", "人", 1, 1, 0, 0},
		{"联系粽子加工企业季节性务工", "人", 1, 2, 0, 0},
	},
	"skills": {
		{"参加电商实用技能培训", "人次", 1, 2, 0, 500},
		{"参加家政服务培训", "人次", 1, 1, 0, 500},
		{"参加猕猴桃栽培技术培训", "人次", 1, 2, 0, 300},
	},
	"education": {
		{"落实雨露计划补助", "人", 1, 2, 1500, 3000},
		{"资助子女高中学费", "人", 1, 1, 1000, 2500},
		{"落实义务教育阶段营养改善和寄宿生补助", "人", 1, 2, 500, 1500},
	},
	"health": {
		{"办理慢性病门诊卡，落实门诊报销", "", 0, 0, 300, 1500},
		{"协助申请大病医疗救助", "", 0, 0, 2000, 10000},
		{"代缴城乡居民医疗保险", "人", 1, 6, 200, 1200},
	},
	"housing": {
		{"危房改造", "平方米", 60, 100, 10000, 30000},
		{"改厨改厕", "", 0, 0, 2000, 5000},
	},
	"credit": {
		{"办理扶贫小额信贷，财政贴息", "万元", 1, 5, 1000, 3000},
	},
	"safety_net": {
		{"纳入农村低保兜底", "人", 1, 3, 1500, 4000},
		{"落实特困供养", "人", 1, 1, 3000, 5000},
	},
	"other": {
		{"协调自来水管道入户", "", 0, 0, 500, 2000},
		{"帮助销售农产品", "", 0, 0, 0, 0},
	},
}

// causeSupport is the support type a household's main cause calls for first.
var causeSupport = map[string][]string{
	"因病":       {"health"},
	"因残":       {"safety_net", "health"},
	"因学":       {"education"},
	"因灾":       {"housing", "industry"},
	"缺土地":      {"employment", "industry"},
	"缺水":       {"other"},
	"缺技术":      {"skills", "industry"},
	"缺劳力":      {"safety_net", "employment"},
	"缺资金":      {"credit", "industry"},
	"交通条件落后":   {"employment"},
	"自身发展动力不足": {"employment", "industry"},
	"其它":       {"other"},
}

// shanghai is China Standard Time; China has no daylight saving, so a fixed
// zone is exact and needs no tzdata.
var shanghai = time.FixedZone("CST", 8*60*60)
