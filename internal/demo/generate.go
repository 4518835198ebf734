package demo

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bangfu/bangfu/internal/idcard"
	"github.com/shopspring/decimal"
)

// Places and sizes of the demo, from DESIGN.md §2.
const (
	countyCode       = "430681"       // 汨罗市
	reliefVillage    = "430681107231" // 玉池村, the programme's relief point
	bishiTownship    = "430681107"    // 弼时镇
	xinshiTownship   = "430681102"    // 新市镇
	reliefHouseholds = 78
	otherHouseholds  = 2990 // spread over every other village, 8–25 each

	prefecturalDeputies = 40
	countyDeputies      = 258
	townshipDeputies    = 1033
	twoLevelDeputies    = 30 // county deputies who also sit in their township's congress
	leftOfficeDeputies  = 13 // about 1%
	demoPairings        = 4  // 玉池村 households of deputy.demo
)

// village and township are the divisions the generator places people in.
type village struct{ code, name, township string }

type township struct {
	code, name string
	villages   []village
}

// idBase is, per table, the largest id already used; generated rows take the
// ids after it.
type idBase struct {
	deputy, user, household, member, pairing, measure, entry int64
}

// The generated rows, one struct per table, in insertion order. Zero times
// and zero ids stand for SQL NULL where the column is nullable.
type (
	deputyRow struct {
		id                               int64
		name, gender, ethnicity          string
		birth                            time.Time
		levels                           []string
		category, term, workUnit, post   string
		phone, townshipCode, villageCode string
		status                           string
		capacity                         int // how many households the deputy offered to take
	}
	userRow struct {
		id                                    int64
		username, displayName, role, township string
		deputyID                              int64
	}
	householdRow struct {
		id                                                int64
		villageCode, groupName, headName, idNumber, phone string
		attribute, standard, mainCause                    string
		otherCauses                                       []string
		identificationYear                                int
		income                                            decimal.Decimal
		status                                            string
		exitedYear                                        int
		monitoring                                        string
		plannedExitYear                                   int
		members                                           []memberRow
	}
	memberRow struct {
		id, householdID               int64
		name, sex, idNumber, relation string
		health, labour                string
		birth                         time.Time
	}
	pairingRow struct {
		id, householdID, deputyID int64
		start, end                time.Time
		status, endReason         string
		household                 *householdRow
	}
	measureRow struct {
		id, pairingID               int64
		supportType, content, scale string
		funds                       decimal.Decimal
		deadline                    time.Time
		outcome                     string
		confirmed                   bool
		createdAt                   time.Time
	}
	goalRow struct {
		pairingID                                          int64
		targetIncome                                       decimal.Decimal
		targetExitDate                                     time.Time
		incomeAboveLine, foodClothing, compulsoryEducation bool
		basicMedical, safeHousing, safeWater               bool
		updatedAt                                          time.Time
	}
	entryRow struct {
		id, pairingID                                 int64
		date                                          time.Time
		kind, description                             string
		amount                                        decimal.Decimal
		beneficiaries, status, comment                string
		createdBy, reviewedBy                         int64
		createdAt, submittedAt, reviewedAt, updatedAt time.Time
	}
)

// dataset is everything Load writes.
type dataset struct {
	deputies     []deputyRow
	users        []userRow
	households   []*householdRow
	pairings     []*pairingRow
	measures     []measureRow
	goals        []goalRow
	entries      []entryRow
	poorVillages []string  // village codes to flag as poor villages (besides 玉池村)
	today        time.Time // the day the data was generated for, UTC midnight
}

// met lists the checklist items (pairing.GoalItems values) the goal marks
// met, in the checklist's order.
func (gl *goalRow) met() []string {
	var out []string
	for _, c := range []struct {
		item string
		on   bool
	}{{"income_above_line", gl.incomeAboveLine}, {"food_clothing", gl.foodClothing}, {"compulsory_education", gl.compulsoryEducation},
		{"basic_medical", gl.basicMedical}, {"safe_housing", gl.safeHousing}, {"safe_water", gl.safeWater}} {
		if c.on {
			out = append(out, c.item)
		}
	}
	return out
}

func (d *dataset) memberCount() int {
	n := 0
	for _, h := range d.households {
		n += len(h.members)
	}
	return n
}

// generator builds a dataset from the divisions, the day and the id bases.
// It is pure: the same inputs give the same dataset.
type generator struct {
	today     time.Time // the current day, UTC midnight
	townships []township
	byCode    map[string]*township
	base      idBase
	sz        sizes
	ids       map[string]bool // resident ID numbers in use (17-digit bodies)
	names     map[string]bool // deputy names in use
	out       dataset

	demoDeputy   int              // index in out.deputies of deputy.demo's deputy
	officeUser   int64            // user id of `office`
	chairUser    map[string]int64 // township code → chair's user id
	demoUser     int64            // user id of `deputy.demo`
	demoPairings map[int64]bool   // pairing ids of deputy.demo
}

// generate returns the demo dataset of size sz. today is a moment of the
// current day, whose date in China is used; taken holds resident ID numbers
// already stored, which the generator will not reuse.
func generate(townships []township, today time.Time, base idBase, taken []string, sz sizes) (*dataset, error) {
	g := &generator{
		today:     civilDay(today),
		townships: townships,
		byCode:    map[string]*township{},
		base:      base,
		sz:        sz,
		ids:       map[string]bool{},
		names:     map[string]bool{},
		chairUser: map[string]int64{},
	}
	for i := range townships {
		g.byCode[townships[i].code] = &townships[i]
	}
	for _, c := range []string{bishiTownship, xinshiTownship} {
		if g.byCode[c] == nil {
			return nil, fmt.Errorf("township %s is missing", c)
		}
	}
	if !slices.ContainsFunc(g.byCode[bishiTownship].villages, func(v village) bool { return v.code == reliefVillage }) {
		return nil, fmt.Errorf("village %s is missing", reliefVillage)
	}
	for _, id := range taken {
		if len(id) == 18 {
			g.ids[id[:17]] = true
		}
	}
	g.genDeputies()
	g.genUsers()
	g.genVillages()
	g.genHouseholds()
	g.genPairings()
	g.genMeasures()
	g.genLedger()
	g.out.today = g.today
	ds := g.out // not &g.out, which would keep the generator's maps alive while writing
	return &ds, nil
}

// ---- people -------------------------------------------------------------

// personName returns a Chinese name with the given surname ("" = random) for
// a person of the given sex born in birthYear.
func (g *generator) personName(r *rng, surname string, male bool, birthYear int) string {
	if surname == "" {
		surname = g.surname(r)
	}
	modern := birthYear >= 1980 && r.permille(700)
	var list []string
	switch {
	case male && modern:
		list = maleNew
	case male:
		list = maleOld
	case modern:
		list = femaleNew
	default:
		list = femaleOld
	}
	return surname + pick(r, list)
}

// surname draws a surname, the common ones more often.
func (g *generator) surname(r *rng) string {
	i := r.intn(len(surnames))
	if r.permille(500) {
		i = r.intn(20) // the twenty most common carry half the population
	}
	return surnames[i]
}

// mobile returns an 11-digit mobile number.
func mobile(r *rng) string {
	return fmt.Sprintf("%s%08d", pick(r, mobilePrefixes), r.intn(100_000_000))
}

// idNumber issues a unique resident ID number of 汨罗市 for someone born on
// birth; the sequence digit's parity follows the sex (GB 11643).
func (g *generator) idNumber(r *rng, birth time.Time, male bool) string {
	for {
		seq := r.intn(500) * 2
		if male {
			seq++
		}
		for tries := 0; tries < 500; tries++ {
			id, err := idcard.Build(countyCode, birth, seq)
			if err != nil {
				panic(err) // region and sequence are built valid above
			}
			if !g.ids[id[:17]] {
				g.ids[id[:17]] = true
				return id
			}
			seq = (seq + 2) % 1000
		}
		birth = addDays(birth, 1) // all 500 numbers of that day are taken
	}
}

// birthAt returns a birth date making someone age years old today.
func (g *generator) birthAt(r *rng, age int) time.Time {
	return addDays(g.today.AddDate(-age, 0, 0), -r.between(1, 364))
}

// ---- deputies -------------------------------------------------------------

func (g *generator) genDeputies() {
	r := newRNG(stageDeputies)
	weights := func(level string) []int {
		ws := make([]int, len(g.townships))
		for i, t := range g.townships {
			ws[i] = 3 + len(t.villages)
			if t.code == countyCode+"101" && level != "township" { // 汨罗镇, the county seat
				ws[i] += map[string]int{"county": 15, "prefectural": 40}[level]
			}
		}
		return ws
	}
	levels := []struct {
		level string
		n     int
	}{{"prefectural", g.sz.prefectural}, {"county", g.sz.county}, {"township", g.sz.township}}
	for _, l := range levels {
		ws := weights(l.level)
		for i := 0; i < l.n; i++ {
			t := &g.townships[r.weighted(ws)]
			if l.level == "county" && i == 0 {
				// deputy.demo: the first county deputy lives in 弼时镇.
				t = g.byCode[bishiTownship]
				g.demoDeputy = len(g.out.deputies)
			}
			g.out.deputies = append(g.out.deputies, g.newDeputy(r, l.level, t))
		}
	}
	county := g.out.deputies[g.sz.prefectural : g.sz.prefectural+g.sz.county]
	for _, i := range r.r.Perm(g.sz.county - 1)[:g.sz.twoLevel] {
		county[i+1].levels = []string{"county", "township"}
	}
	for n := 0; n < g.sz.leftOffice; {
		i := g.sz.prefectural + 1 + r.intn(g.sz.county+g.sz.township-1)
		if d := &g.out.deputies[i]; d.status == "active" {
			d.status, d.capacity = "left_office", 0
			n++
		}
	}
	for i := range g.out.deputies {
		g.out.deputies[i].id = g.base.deputy + int64(i) + 1
	}
	g.out.deputies[g.demoDeputy].capacity = demoPairings
}

func (g *generator) newDeputy(r *rng, level string, t *township) deputyRow {
	male := r.permille(720)
	birth := time.Date(r.between(1955, 1995), time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.intn(365))
	d := deputyRow{
		gender:       map[bool]string{true: "male", false: "female"}[male],
		ethnicity:    "汉族",
		birth:        birth,
		levels:       []string{level},
		term:         terms[level],
		phone:        mobile(r),
		townshipCode: t.code,
		status:       "active",
	}
	for tries := 1; ; tries++ {
		d.name = g.personName(r, "", male, birth.Year())
		if !g.names[d.name] || tries == g.sz.nameTries {
			g.names[d.name] = true
			break
		}
	}
	if r.permille(30) {
		d.ethnicity = pick(r, minorities)
	}
	d.category = r.choose(map[string][]choice{
		"prefectural": {{"cadre", 40}, {"private_sector", 25}, {"professional", 20}, {"frontline", 10}, {"other", 5}},
		"county":      {{"cadre", 35}, {"frontline", 25}, {"private_sector", 20}, {"professional", 15}, {"other", 5}},
		"township":    {{"frontline", 45}, {"cadre", 25}, {"private_sector", 12}, {"professional", 12}, {"other", 6}},
	}[level])
	villageShare := map[string]int{"prefectural": 200, "county": 400, "township": 700}[level]
	var v village
	if len(t.villages) > 0 && (d.category == "frontline" || r.permille(villageShare)) {
		v = pick(r, t.villages)
		d.villageCode = v.code
	}
	d.workUnit, d.post = g.workUnitAndPost(r, level, d.category, t, v)
	d.capacity = []int{1, 2, 3, 4}[r.weighted([]int{15, 30, 35, 20})]
	if level == "prefectural" {
		d.capacity = []int{0, 1, 2}[r.weighted([]int{30, 50, 20})]
	}
	d.capacity = g.sz.capacity(d.capacity)
	return d
}

// workUnitAndPost invents a plausible 工作单位 and 职务 for a deputy of
// category who lives in township t (and village v, if v.code != "").
func (g *generator) workUnitAndPost(r *rng, level, category string, t *township, v village) (string, string) {
	place := t.name // "弼时镇"; 营田公务中心 → "营田"
	isTown := strings.HasSuffix(t.name, "镇")
	if !isTown {
		place = strings.TrimSuffix(t.name, "公务中心")
	}
	committee := ""
	if v.code != "" {
		committee = v.name + "村民委员会"
		if strings.HasSuffix(v.name, "社区") {
			committee = v.name + "居民委员会"
		}
	}
	townPost := func(posts ...string) (string, string) {
		if !isTown {
			return t.name, pick(r, []string{"主任", "副主任", "扶贫专干"})
		}
		return townUnit(t.name), pick(r, posts)
	}
	firm := "汨罗市" + pick(r, firmNames) + pick(r, firmIndustries) + "有限公司"
	switch category {
	case "cadre":
		switch {
		case level == "prefectural":
			u := pick(r, [][2]string{{"中共汨罗市委员会", "副书记"}, {"汨罗市人民政府", "副市长"},
				{"汨罗市人大常委会", "副主任"}, {"汨罗市人民政府", "市长"}})
			return u[0], u[1]
		case level == "county" && r.permille(500):
			u := pick(r, [][2]string{{"汨罗市农业农村局", "局长"}, {"汨罗市扶贫开发办公室", "主任"},
				{"汨罗市教育局", "副局长"}, {"汨罗市卫生健康局", "副局长"}, {"汨罗市水利局", "副局长"},
				{"汨罗市人民政府办公室", "副主任"}})
			return u[0], u[1]
		case level == "county":
			return townPost("镇长", "党委书记", "党委副书记", "副镇长")
		case committee != "" && r.permille(600):
			return committee, pick(r, []string{"党支部书记", "村委会主任", "村会计", "妇女主任"})
		default:
			return townPost("副镇长", "党政办主任", "扶贫专干", "组织委员")
		}
	case "professional":
		u := pick(r, [][2]string{{"汨罗市人民医院", pick(r, []string{"主任医师", "副主任医师", "护士长"})},
			{place + "卫生院", pick(r, []string{"院长", "医生"})},
			{"汨罗市第一中学", pick(r, []string{"教师", "高级教师"})},
			{place + "中心学校", pick(r, []string{"校长", "教师"})},
			{"汨罗市农业技术推广中心", "高级农艺师"}, {"湖南汨江律师事务所", "律师"},
			{"汨罗市畜牧水产事务中心", "兽医师"}})
		return u[0], u[1]
	case "frontline":
		switch n := r.intn(10); {
		case n < 5 && v.code != "":
			return v.name, pick(r, []string{"种植大户", "养殖大户", "村民小组长", "农民", "家庭农场主"})
		case n < 7 && v.code != "":
			return "汨罗市" + strings.TrimSuffix(strings.TrimSuffix(v.name, "村"), "社区") + pick(r, coopProducts) + "专业合作社", "理事长"
		case n < 9:
			return "湖南汨罗循环经济产业园", pick(r, []string{"一线工人", "班组长"})
		default:
			return firm, pick(r, []string{"车间主任", "技术员", "工人"})
		}
	case "private_sector":
		if r.permille(700) {
			return firm, pick(r, []string{"总经理", "董事长", "执行董事"})
		}
		return place + pick(r, firmNames) + pick(r, firmIndustries) + "厂", "厂长"
	}
	u := pick(r, [][2]string{{"个体工商户", "经营者"}, {"汨罗市龙舟协会", "会长"},
		{"汨罗市工商业联合会", "副主席"}, {place + "中心学校", "退休教师"}})
	return u[0], u[1]
}

// ---- users ------------------------------------------------------------------

func (g *generator) genUsers() {
	dep := g.out.deputies[g.demoDeputy]
	g.out.users = []userRow{
		{username: "office", displayName: "人大办公室", role: "staff"},
		{username: "leader", displayName: "常委会领导", role: "leader"},
		{username: "chair.bishi", displayName: "弼时镇人大主席", role: "township_chair", township: bishiTownship},
		{username: "chair.xinshi", displayName: "新市镇人大主席", role: "township_chair", township: xinshiTownship},
		{username: "deputy.demo", displayName: dep.name, role: "deputy", deputyID: dep.id},
	}
	for i := range g.out.users {
		u := &g.out.users[i]
		u.id = g.base.user + int64(i) + 1
		if u.township != "" {
			g.chairUser[u.township] = u.id
		}
	}
	g.officeUser = g.out.users[0].id
	g.demoUser = g.out.users[4].id
}

// ---- villages and households --------------------------------------------------

// genVillages flags about one village in ten as a poor village (贫困村);
// 玉池村 is flagged by Load itself, with the relief point.
func (g *generator) genVillages() {
	r := newRNG(stageVillages)
	for _, t := range g.townships {
		for _, v := range t.villages {
			if v.code != reliefVillage && r.permille(100) {
				g.out.poorVillages = append(g.out.poorVillages, v.code)
			}
		}
	}
}

var (
	causes = []choice{{"因病", 300}, {"缺技术", 160}, {"缺劳力", 140}, {"缺资金", 130}, {"因残", 100}, {"因学", 70},
		{"自身发展动力不足", 30}, {"因灾", 20}, {"缺土地", 20}, {"交通条件落后", 10}, {"缺水", 10}, {"其它", 10}}
	attributes = []choice{{"general", 70}, {"subsistence", 20}, {"extreme", 10}}
	standards  = []choice{{"national", 92}, {"provincial", 6}, {"prefectural", 2}}
)

func (g *generator) genHouseholds() {
	r := newRNG(stageHouseholds)
	type slot struct {
		v     village
		n     int
		group int // number of 村民小组
	}
	var slots []slot
	sum := 0
	for _, t := range g.townships {
		for _, v := range t.villages {
			s := slot{v: v, n: reliefHouseholds, group: r.between(6, 16)}
			if v.code != reliefVillage {
				s.n = r.between(g.sz.villageMin, g.sz.villageMax)
				sum += s.n
			}
			slots = append(slots, s)
		}
	}
	// Nudge the counts so the other villages hold exactly otherHouseholds.
	for sum != g.sz.otherHouseholds && len(slots) > 1 {
		s := &slots[r.intn(len(slots))]
		switch {
		case s.v.code == reliefVillage:
		case sum < g.sz.otherHouseholds && s.n < g.sz.villageMax:
			s.n++
			sum++
		case sum > g.sz.otherHouseholds && s.n > g.sz.villageMin:
			s.n--
			sum--
		}
	}
	for _, s := range slots {
		for i := 0; i < s.n; i++ {
			h := g.newHousehold(r, s.v)
			h.groupName = fmt.Sprintf("%d组", r.between(1, s.group))
			h.id = g.base.household + int64(len(g.out.households)) + 1
			for j := range h.members {
				h.members[j].householdID = h.id
			}
			g.out.households = append(g.out.households, h)
		}
	}
	id := g.base.member
	for _, h := range g.out.households {
		for j := range h.members {
			id++
			h.members[j].id = id
		}
	}
}

func (g *generator) newHousehold(r *rng, v village) *householdRow {
	year := g.today.Year()
	h := &householdRow{
		villageCode:        v.code,
		attribute:          r.choose(attributes),
		standard:           r.choose(standards),
		mainCause:          r.choose(causes),
		identificationYear: []int{2014, 2015, 2016}[r.weighted([]int{60, 25, 15})],
		status:             "not_exited",
	}
	if r.permille(850) {
		h.phone = mobile(r)
	}
	for n := []int{0, 1, 2}[r.weighted([]int{40, 40, 20})]; len(h.otherCauses) < n; {
		c := r.choose(causes)
		if c != h.mainCause && !slices.Contains(h.otherCauses, c) {
			h.otherCauses = append(h.otherCauses, c)
		}
	}
	switch x := r.intn(1000); {
	case x < 100:
		h.status = "exited"
		h.exitedYear = min(year, h.identificationYear+r.between(1, 4))
		h.monitoring = []string{"", "unstable", "sudden_hardship"}[r.weighted([]int{82, 15, 3})]
		h.plannedExitYear = h.exitedYear
		h.income = yuan(int64(r.between(330000, 620000)))
	case x < 115:
		h.status = "relapsed"
		h.exitedYear = min(max(h.identificationYear+1, year-1), year)
		h.monitoring = []string{"unstable", "sudden_hardship"}[r.weighted([]int{70, 30})]
		h.plannedExitYear = year + 1
		h.income = yuan(int64(r.between(150000, 300000)))
	default:
		h.plannedExitYear = year + []int{0, 1}[r.weighted([]int{70, 30})]
		h.income = yuan(int64(r.between(180000, 420000)))
	}
	if v.code == reliefVillage && h.status != "exited" {
		h.plannedExitYear = year // the relief point's goal: everyone exits this year
	}
	// A household poor because of schooling costs (因学) has a pupil or
	// student; draw the family again until it has one.
	for tries := 0; ; tries++ {
		h.members = nil
		g.fillMembers(r, h)
		if _, ok := memberAged(h, g.today, 6, 22); ok || h.mainCause != "因学" || tries == 20 {
			break
		}
	}
	head := h.members[0]
	h.headName, h.idNumber = head.name, head.idNumber
	return h
}

// fillMembers makes the 1–6 members of h, the head first. Ages, relations,
// sexes and ID numbers agree with each other; health and labour capacity
// reflect the household's poverty causes.
func (g *generator) fillMembers(r *rng, h *householdRow) {
	size := []int{1, 2, 3, 4, 5, 6}[r.weighted([]int{10, 20, 25, 25, 13, 7})]
	headAge := (r.between(25, 85) + r.between(25, 85)) / 2
	headMale := r.permille(820)
	headBirth := g.birthAt(r, headAge)
	headSurname := g.surname(r)
	add := func(name string, male bool, birth time.Time, relation string) {
		h.members = append(h.members, memberRow{
			name: name, sex: map[bool]string{true: "male", false: "female"}[male],
			idNumber: g.idNumber(r, birth, male), relation: relation, birth: birth,
		})
	}
	add(g.personName(r, headSurname, headMale, headBirth.Year()), headMale, headBirth, "户主")
	family := headSurname // the children's surname
	if size >= 2 && r.permille(850) {
		age := min(90, max(20, headAge+r.between(-6, 6)))
		spouseSurname := g.surname(r)
		if !headMale {
			family = spouseSurname
		}
		b := g.birthAt(r, age)
		add(g.personName(r, spouseSurname, !headMale, b.Year()), !headMale, b, "配偶")
	}
	parents := []string{"父亲", "母亲"}
	for len(h.members) < size {
		var options []string
		if headAge >= 40 || headAge >= 24 && r.permille(500) {
			options = append(options, "child", "child")
		}
		if headAge < 58 && len(parents) > 0 {
			options = append(options, "parent")
		}
		if headAge >= 50 {
			options = append(options, "grandchild")
		}
		if len(options) == 0 {
			break
		}
		male := r.permille(520)
		switch pick(r, options) {
		case "child":
			age := headAge - r.between(22, 34)
			if age < 1 {
				age = r.between(1, 3)
			}
			b := g.birthAt(r, age)
			add(g.personName(r, family, male, b.Year()), male, b, map[bool]string{true: "子", false: "女"}[male])
		case "parent":
			rel := parents[0]
			parents = parents[1:]
			male = rel == "父亲"
			age := headAge + r.between(22, 32)
			b := g.birthAt(r, age)
			surname := headSurname
			if !male {
				surname = g.surname(r)
			}
			add(g.personName(r, surname, male, b.Year()), male, b, rel)
		case "grandchild":
			age := max(1, headAge-r.between(45, 60))
			b := g.birthAt(r, age)
			add(g.personName(r, family, male, b.Year()), male, b, map[bool]string{true: "孙子", false: "孙女"}[male])
		}
	}
	// Health and labour capacity: the cause of poverty shows in someone.
	sick := -1
	switch h.mainCause {
	case "因病", "因残":
		sick = 0
		if len(h.members) > 1 && r.permille(400) {
			sick = 1 + r.intn(len(h.members)-1)
		}
	}
	for i := range h.members {
		m := &h.members[i]
		age := ageOn(m.birth, g.today)
		m.health = "健康"
		switch {
		case i == sick && h.mainCause == "因残":
			m.health = "残疾"
		case i == sick:
			m.health = []string{"患有大病", "长期慢性病"}[r.weighted([]int{55, 45})]
		case age >= 65 && r.permille(350):
			m.health = "长期慢性病"
		case r.permille(40):
			m.health = []string{"长期慢性病", "残疾", "患有大病"}[r.weighted([]int{60, 25, 15})]
		}
		switch {
		case age < 16 || age > 75:
			m.labour = "无劳动力"
		case m.health == "残疾" || m.health == "患有大病":
			m.labour = "丧失劳动力"
		case r.permille(150):
			m.labour = "技能劳动力"
		default:
			m.labour = "普通劳动力"
		}
	}
}

// ---- pairings ---------------------------------------------------------------

// unitDemoHousehold picks the household of 弼时镇 outside 玉池村 that
// unit.demo helps: the first in extreme difficulty not yet exited, else the
// first in extreme difficulty, else the first; nil when 弼时镇 has none.
func unitDemoHousehold(hs []*householdRow) *householdRow {
	var best *householdRow
	rank := func(h *householdRow) int {
		switch {
		case h.attribute == "extreme" && h.status != "exited":
			return 2
		case h.attribute == "extreme":
			return 1
		}
		return 0
	}
	for _, h := range hs {
		if h.villageCode[:9] != bishiTownship || h.villageCode == reliefVillage {
			continue
		}
		if best == nil || rank(h) > rank(best) {
			best = h
		}
	}
	return best
}

func (g *generator) genPairings() {
	r := newRNG(stagePairings)
	// Start dates: each township launched within a window 5–7 months ago;
	// a pairing starts within ten days of its township's launch.
	lo, hi := g.today.AddDate(0, -7, 0), g.today.AddDate(0, -5, 0)
	span := daysBetween(lo, hi)
	launch := map[string]time.Time{}
	for _, t := range g.townships {
		launch[t.code] = addDays(lo, r.between(0, span-10))
	}
	startFor := func(h *householdRow) time.Time {
		d := addDays(launch[h.villageCode[:9]], r.between(0, 10))
		if d.After(hi) {
			d = hi
		}
		return d
	}

	// Deputies with room left, by home township (就近原则).
	free := map[string][]int{}
	load := make([]int, len(g.out.deputies))
	for i, d := range g.out.deputies {
		if d.status == "active" && d.capacity > 0 && i != g.demoDeputy {
			free[d.townshipCode] = append(free[d.townshipCode], i)
		}
	}
	take := func(township string) int {
		pool := free[township]
		if len(pool) == 0 {
			// No room at home: the first township, in code order, with room.
			for _, t := range g.townships {
				if len(free[t.code]) > 0 {
					township, pool = t.code, free[t.code]
					break
				}
			}
		}
		if len(pool) == 0 { // everyone is full: the least loaded active deputy
			best := -1
			for i, d := range g.out.deputies {
				if d.status == "active" && i != g.demoDeputy && (best < 0 || load[i] < load[best]) {
					best = i
				}
			}
			load[best]++
			return best
		}
		k := r.intn(len(pool))
		i := pool[k]
		load[i]++
		if load[i] >= g.out.deputies[i].capacity {
			free[township] = slices.Delete(pool, k, k+1)
		}
		return i
	}

	var active, history, closing, proposed []*pairingRow
	newPairing := func(h *householdRow, dep int, start time.Time, status string) *pairingRow {
		return &pairingRow{householdID: h.id, deputyID: g.out.deputies[dep].id, start: start, status: status, household: h}
	}

	// deputy.demo first: four households of 玉池村.
	var relief []*householdRow
	for _, h := range g.out.households {
		if h.villageCode == reliefVillage {
			relief = append(relief, h)
		}
	}
	demo := map[*householdRow]bool{}
	for _, k := range r.r.Perm(len(relief))[:demoPairings] {
		h := relief[k]
		demo[h] = true
		h.status, h.exitedYear, h.monitoring = "not_exited", 0, ""
		h.plannedExitYear = g.today.Year()
	}
	for _, h := range relief {
		if demo[h] {
			active = append(active, newPairing(h, g.demoDeputy, startFor(h), "active"))
		}
	}

	// unit.demo's household (seedUnits): one in extreme difficulty of 弼时镇
	// outside 玉池村 is left without a pairing here, so that the unit helps
	// it and its waiting visit is in chair.bishi's queue (README).
	unitHome := unitDemoHousehold(g.out.households)
	if unitHome != nil {
		unitHome.attribute = "extreme"
		if unitHome.status == "exited" {
			unitHome.status, unitHome.exitedYear, unitHome.monitoring = "not_exited", 0, ""
			unitHome.plannedExitYear = g.today.Year()
		}
	}

	order := r.r.Perm(len(g.out.households))
	for _, k := range order {
		h := g.out.households[k]
		if demo[h] || h == unitHome {
			continue
		}
		if h.villageCode == reliefVillage || r.permille(925) {
			active = append(active, newPairing(h, take(h.villageCode[:9]), startFor(h), "active"))
			continue
		}
		switch {
		case h.status == "exited" || r.permille(150):
			// Exited this year: the pairing ended with the exit.
			p := newPairing(h, take(h.villageCode[:9]), startFor(h), "ended")
			p.end = addDays(g.today, -r.between(10, 60))
			p.endReason = "household_exited"
			h.status, h.exitedYear, h.monitoring = "exited", p.end.Year(), ""
			h.plannedExitYear = h.exitedYear
			h.income = yuan(int64(r.between(330000, 620000)))
			closing = append(closing, p)
		case r.permille(300):
			// Awaiting the township chair's confirmation.
			dep := take(h.villageCode[:9])
			proposed = append(proposed, newPairing(h, dep, addDays(g.today, -r.between(1, 10)), "proposed"))
		}
	}

	// History: deputies who left office handed their households over, and a
	// few households changed deputy (调整帮扶人). The old pairing ended the day
	// before the current one started.
	byDeputyTownship := map[string][]*pairingRow{}
	for _, p := range active {
		if !demo[p.household] {
			t := p.household.villageCode[:9]
			byDeputyTownship[t] = append(byDeputyTownship[t], p)
		}
	}
	used := map[*pairingRow]bool{}
	handOver := func(dep int, reason string) {
		pool := byDeputyTownship[g.out.deputies[dep].townshipCode]
		if len(pool) == 0 {
			return
		}
		cur := pool[r.intn(len(pool))]
		if used[cur] || cur.deputyID == g.out.deputies[dep].id {
			return
		}
		used[cur] = true
		old := newPairing(cur.household, dep, addDays(cur.start, -r.between(40, 150)), "ended")
		old.end, old.endReason = addDays(cur.start, -1), reason
		history = append(history, old)
	}
	for i, d := range g.out.deputies {
		if d.status == "left_office" {
			for n := r.between(1, 2); n > 0; n-- {
				handOver(i, "deputy_left_office")
			}
		}
	}
	for n := 0; n < g.sz.transfers; n++ {
		dep := g.sz.prefectural + r.intn(g.sz.county+g.sz.township)
		if g.out.deputies[dep].status == "active" && dep != g.demoDeputy {
			handOver(dep, "transferred")
		}
	}

	// Ids: history first, then the current pairings, as they were created.
	all := slices.Concat(history, active, closing, proposed)
	g.demoPairings = map[int64]bool{}
	for i, p := range all {
		p.id = g.base.pairing + int64(i) + 1
		if demo[p.household] && p.status == "active" {
			g.demoPairings[p.id] = true
		}
	}
	g.out.pairings = all
}

// ---- measures and goals -------------------------------------------------------

var supportTypes = []choice{{"industry", 30}, {"employment", 15}, {"skills", 10}, {"education", 8}, {"health", 15},
	{"housing", 5}, {"credit", 7}, {"safety_net", 7}, {"other", 3}}

func (g *generator) genMeasures() {
	r := newRNG(stageMeasures)
	year := g.today.Year()
	endOfYear := time.Date(year, time.December, 31, 0, 0, 0, 0, time.UTC)
	for _, p := range g.out.pairings {
		if p.status != "active" {
			continue
		}
		h := p.household
		n := r.between(1, 3)
		var types []string
		for _, t := range causeSupport[h.mainCause] {
			if len(types) < n {
				types = append(types, t)
			}
		}
		for len(types) < n {
			if t := r.choose(supportTypes); !slices.Contains(types, t) {
				types = append(types, t)
			}
		}
		for _, t := range types {
			mt := pick(r, measureTexts[t])
			created := addDays(p.start, r.between(2, 20))
			m := measureRow{
				pairingID:   p.id,
				supportType: t,
				content:     mt.content,
				deadline:    addDays(p.start, r.between(60, 300)),
				createdAt:   at(created, r.between(9, 17), r.intn(60)),
				funds:       decimal.Zero,
			}
			if mt.unit != "" {
				m.scale = fmt.Sprintf("%d%s", r.between(mt.qtyLo, mt.qtyHi), mt.unit)
			}
			if mt.fundsHi > 0 {
				m.funds = yuan(int64(r.between(mt.fundsLo/100, mt.fundsHi/100)) * 10000)
			}
			if m.deadline.Before(g.today) && r.permille(800) {
				m.outcome = pick(r, []string{"已完成，户主签字确认", "已落实到位", "已完成，家庭增收明显", "已完成"})
				m.confirmed = r.permille(850)
			}
			g.out.measures = append(g.out.measures, m)
		}
		if h.villageCode == reliefVillage || g.demoPairings[p.id] || r.permille(900) {
			exited := h.status == "exited"
			target := h.income.Add(yuan(int64(r.between(6, 20)) * 10000)).Round(-2)
			g.out.goals = append(g.out.goals, goalRow{
				pairingID:           p.id,
				targetIncome:        target,
				targetExitDate:      endOfYear,
				incomeAboveLine:     exited || r.permille(400),
				foodClothing:        exited || r.permille(950),
				compulsoryEducation: exited || r.permille(920),
				basicMedical:        exited || r.permille(900),
				safeHousing:         exited || r.permille(800),
				safeWater:           exited || r.permille(900),
				updatedAt:           at(addDays(p.start, r.between(3, 30)), r.between(9, 17), r.intn(60)),
			})
		}
	}
	for i := range g.out.measures {
		g.out.measures[i].id = g.base.measure + int64(i) + 1
	}
}

// ---- ledger -------------------------------------------------------------------

var kinds = []choice{{"visit", 55}, {"goods", 12}, {"cash", 8}, {"policy", 7}, {"training", 5}, {"job", 4},
	{"school_aid", 3}, {"project", 3}, {"other", 3}}

func (g *generator) genLedger() {
	r := newRNG(stageLedger)
	g.out.entries = make([]entryRow, 0, 11*len(g.out.pairings))
	yesterday := addDays(g.today, -1)
	demoStale := false
	for _, p := range g.out.pairings {
		switch p.status {
		case "active":
			last := yesterday
			// About 8% of pairings have gone quiet, so that the dashboard's
			// follow-up warnings (no visit in 30 / 60 days) show something.
			// deputy.demo has one amber case of its own.
			isDemo := g.demoPairings[p.id]
			if (!isDemo && r.permille(80)) || (isDemo && !demoStale) {
				if isDemo || r.permille(500) {
					last = addDays(g.today, -r.between(31, 55)) // amber
				} else {
					last = addDays(g.today, -r.between(62, 110)) // red
				}
				demoStale = demoStale || isDemo
				g.pairingEntries(r, p, last, false)
			} else {
				g.pairingEntries(r, p, last, true)
			}
		case "ended":
			g.pairingEntries(r, p, p.end, false)
		}
	}
	g.demoExamples(r)
	// Ids follow the order of recording, as if typed in over six months.
	order := make([]int, len(g.out.entries))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		ea, eb := &g.out.entries[a], &g.out.entries[b]
		if c := ea.createdAt.Compare(eb.createdAt); c != 0 {
			return c
		}
		if ea.pairingID != eb.pairingID {
			return cmp.Compare(ea.pairingID, eb.pairingID)
		}
		return cmp.Compare(a, b)
	})
	permute(g.out.entries, order)
	for i := range g.out.entries {
		g.out.entries[i].id = g.base.entry + int64(i) + 1
	}
}

// permute rearranges xs in place so that xs[i] becomes the old xs[order[i]]
// (without a second copy of a million entries), following each cycle of
// order; order is used up.
func permute[T any](xs []T, order []int) {
	for i := range order {
		if order[i] < 0 {
			continue
		}
		first := xs[i]
		j := i
		for order[j] != i {
			k := order[j]
			xs[j], order[j] = xs[k], -1
			j = k
		}
		xs[j], order[j] = first, -1
	}
}

// pairingEntries writes the ledger of pairing p from its start to last: a
// first visit, then one or two entries a month. If recentVisit, the pairing
// is kept out of the follow-up warnings by a visit in the last 25 days.
func (g *generator) pairingEntries(r *rng, p *pairingRow, last time.Time, recentVisit bool) {
	if last.Before(p.start) {
		return
	}
	first := len(g.out.entries)
	g.addEntry(r, p, minDate(addDays(p.start, r.between(0, 5)), last), "visit", "首次入户走访，建立帮扶台账，了解家庭基本情况")
	for cursor := p.start; !cursor.After(last); cursor = addDays(cursor, 30) {
		end := minDate(addDays(cursor, 29), last)
		n := []int{0, 1, 2, 3}[r.weighted(g.sz.entriesPerMonth)]
		for ; n > 0; n-- {
			g.addEntry(r, p, addDays(cursor, r.intn(daysBetween(cursor, end)+1)), r.choose(kinds), "")
		}
	}
	if !recentVisit {
		return
	}
	// The dashboard counts submitted and approved visits only.
	for _, e := range g.out.entries[first:] {
		if e.kind == "visit" && (e.status == "submitted" || e.status == "approved") && daysBetween(e.date, g.today) <= 25 {
			return
		}
	}
	i := g.addEntry(r, p, addDays(g.today, -r.between(1, 20)), "visit", "")
	if e := &g.out.entries[i]; e.status == "draft" || e.status == "returned" {
		g.setStatus(r, e, "submitted")
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func minDate(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// addEntry appends one entry of kind on day to pairing p (description drawn
// from the kind's texts unless given) with a status that fits its age, and
// returns its index.
func (g *generator) addEntry(r *rng, p *pairingRow, day time.Time, kind, description string) int {
	h := p.household
	beneficiary := h.headName
	switch kind {
	case "school_aid":
		if name, ok := memberAged(h, g.today, 6, 22); ok {
			beneficiary = name
		} else {
			kind = "goods"
		}
	case "job", "training":
		if name, ok := workingMember(h); ok {
			beneficiary = name
		} else {
			kind = "policy"
		}
	}
	if description == "" {
		description = g.entryText(r, h, kind, day)
		if strings.Contains(description, "%s") {
			description = fmt.Sprintf(description, beneficiary)
		}
	}
	e := entryRow{pairingID: p.id, date: day, kind: kind, description: description, amount: decimal.Zero}
	switch kind {
	case "cash":
		e.amount = yuan(int64(r.between(2, 20)) * 10000)
	case "goods":
		e.amount = yuan(int64(r.between(160, 1600)) * 50)
	case "school_aid":
		e.amount = yuan(int64(r.between(5, 30)) * 10000)
	case "project":
		if r.permille(500) {
			e.amount = yuan(int64(r.between(10, 50)) * 10000)
		}
	}
	if e.amount.IsPositive() || kind == "job" || kind == "training" {
		e.beneficiaries = beneficiary
	}
	e.createdBy = g.officeUser
	if g.demoPairings[p.id] {
		e.createdBy = g.demoUser
	}
	status := "approved"
	if p.status == "active" {
		age := daysBetween(day, g.today)
		// Chairs review within days; a returned entry is usually fixed and
		// approved within weeks, so old ones are nearly all approved.
		switch {
		case age > 45:
			status = []string{"approved", "returned", "submitted"}[r.weighted([]int{990, 5, 5})]
		case age > 21:
			status = []string{"approved", "returned", "submitted"}[r.weighted([]int{880, 90, 30})]
		case age > 7:
			status = []string{"approved", "submitted", "returned", "draft"}[r.weighted([]int{550, 370, 60, 20})]
		default:
			status = []string{"submitted", "approved", "draft"}[r.weighted([]int{750, 100, 150})]
		}
	}
	// The deputy records the entry on the day or within two days.
	created := minDate(addDays(day, r.between(0, 2)), addDays(g.today, -1))
	e.createdAt = at(created, r.between(8, 20), r.intn(60)) // so submission and a same-day review stay before midnight
	g.setStatus(r, &e, status)
	g.out.entries = append(g.out.entries, e)
	return len(g.out.entries) - 1
}

// setStatus puts e in status with the review fields and timestamps that
// status implies; all times fall before today.
func (g *generator) setStatus(r *rng, e *entryRow, status string) {
	e.status, e.comment, e.reviewedBy = status, "", 0
	e.submittedAt, e.reviewedAt = time.Time{}, time.Time{}
	e.updatedAt = e.createdAt
	if status == "draft" {
		return
	}
	e.submittedAt = e.createdAt.Add(time.Duration(r.between(1, 90)) * time.Minute)
	e.updatedAt = e.submittedAt
	if status == "submitted" {
		return
	}
	subDay := time.Date(e.submittedAt.Year(), e.submittedAt.Month(), e.submittedAt.Day(), 0, 0, 0, 0, time.UTC)
	reviewDay := minDate(addDays(subDay, r.between(1, 6)), addDays(g.today, -1))
	if reviewDay.After(subDay) {
		e.reviewedAt = at(reviewDay, r.between(8, 18), r.intn(60))
	} else {
		e.reviewedAt = e.submittedAt.Add(time.Duration(r.between(20, 60)) * time.Minute)
	}
	e.updatedAt = e.reviewedAt
	e.reviewedBy = g.officeUser
	if p := g.pairingByID(e.pairingID); p != nil {
		if id, ok := g.chairUser[p.household.villageCode[:9]]; ok {
			e.reviewedBy = id
		}
	}
	if status == "returned" {
		e.comment = pick(r, returnComments)
		if e.amount.IsPositive() && r.permille(500) {
			e.comment = pick(r, returnMoneyComments)
		}
	}
}

func (g *generator) pairingByID(id int64) *pairingRow {
	i := int(id - g.base.pairing - 1)
	if i < 0 || i >= len(g.out.pairings) {
		return nil
	}
	return g.out.pairings[i]
}

// demoExamples makes sure deputy.demo's own ledger shows every state: one
// returned entry to fix and one draft to finish.
func (g *generator) demoExamples(r *rng) {
	var returned, draft bool
	var pairing *pairingRow
	for i := range g.out.entries {
		e := &g.out.entries[i]
		if !g.demoPairings[e.pairingID] {
			continue
		}
		returned = returned || e.status == "returned"
		draft = draft || e.status == "draft"
	}
	for _, p := range g.out.pairings {
		if g.demoPairings[p.id] {
			pairing = p // the last one: its entries run to yesterday
		}
	}
	if pairing == nil {
		return
	}
	if !returned {
		// The entry about two weeks old that is not a visit (its visits keep
		// the pairing out of the follow-up warnings).
		best := -1
		for i, e := range g.out.entries {
			if e.pairingID == pairing.id && e.status == "approved" && e.kind != "visit" && daysBetween(e.date, g.today) >= 7 &&
				(best < 0 || abs(daysBetween(e.date, g.today)-14) < abs(daysBetween(g.out.entries[best].date, g.today)-14)) {
				best = i
			}
		}
		if best < 0 {
			best = g.addEntry(r, pairing, addDays(g.today, -14), "goods", "")
		}
		g.setStatus(r, &g.out.entries[best], "returned")
	}
	if !draft {
		g.addEntry(r, pairing, addDays(g.today, -2), "goods", "")
		g.setStatus(r, &g.out.entries[len(g.out.entries)-1], "draft")
	}
}

// entryText draws a description of kind that fits household h and the season
// of day: no talk of schooling without a pupil, of recovery without someone
// ill, or of spring ploughing in November.
func (g *generator) entryText(r *rng, h *householdRow, kind string, day time.Time) string {
	fits := func(t string) bool {
		switch {
		case !inSeason(t, day.Month()):
			return false
		case strings.Contains(t, "上学") || strings.Contains(t, "孩子"):
			_, ok := memberAged(h, g.today, 6, 22)
			return ok
		case strings.Contains(t, "身体恢复") || strings.Contains(t, "医疗"):
			return slices.ContainsFunc(h.members, func(m memberRow) bool { return m.health != "健康" })
		}
		return true
	}
	texts := entryTexts[kind]
	for tries := 0; tries < 8; tries++ {
		if t := pick(r, texts); fits(t) {
			return t
		}
	}
	for _, t := range texts {
		if fits(t) {
			return t
		}
	}
	return texts[0]
}

// memberAged returns the name of a member aged lo..hi on today (a pupil or
// student).
func memberAged(h *householdRow, today time.Time, lo, hi int) (string, bool) {
	for _, m := range h.members {
		if a := ageOn(m.birth, today); a >= lo && a <= hi {
			return m.name, true
		}
	}
	return "", false
}

// workingMember returns the name of a member who can work.
func workingMember(h *householdRow) (string, bool) {
	for _, m := range h.members {
		if m.labour == "普通劳动力" || m.labour == "技能劳动力" {
			return m.name, true
		}
	}
	return "", false
}
