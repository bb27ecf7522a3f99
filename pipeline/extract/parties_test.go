package extract

import "testing"

// The lines are OCR output of generated and hand-made forms: joined fields, misread brackets
// and colons, noise at the start of a line, blanks left to fill in by hand.
func TestApplicantAndMatter(t *testing.T) {
	for _, c := range []struct {
		name, text, applicant, matter string
	}{
		{"application form", "企业设立登记申请书\n申请人《单位）名称：白山金电农业发展有限公司\n统一社会信用代码：91220681NB6QWAUU0OC\n法定代表人：史磊欣身份证号码：22068120000430238X\n申请事项：企业设立登记\n申请人签字（盖章）:\n",
			"白山金电农业发展有限公司", "企业设立登记"},
		{"joined fields and noise", ".申请人单位）名称：延边北辰科技有限公司\n申请事项：户口迁移申请日期：2026年2月15日\n”申请人签字（盖章）:",
			"延边北辰科技有限公司", "户口迁移"},
		{"person applies", "行政许可申请表\n申请人姓名 张 三\n联系电话 13800000000\n办理事项：食品经营许可（新办）", "张三", "食品经营许可（新办）"},
		{"commitment letter", "容缺受理承诺书\n本人/本单位四平宏达食品有限公司申请办理建设工程规划许可，\n因场所使用证明暂缺，申请容缺受理。\n承诺人：徐燕飞身份证号码；220302196307043513",
			"四平宏达食品有限公司", "建设工程规划许可"},
		{"power of attorney", "授权委托书\n委托人：刘洋  身份证号码：220102198001011234\n受托人：王芳\n现委托受托人代为办理不动产转移登记相关事宜，", "刘洋", "不动产转移登记"},
		{"id card", "居民身份证（复印件）\n姓名 李明\n性别 男  民族 汉\n此复印件仅供办理医保关系转移使用", "李明", "医保关系转移"},
		{"business licence", "营业执照\n统一社会信用代码 91220101MA0000000X\n名称 长春恒信科技有限公司\n法定代表人 赵强", "长春恒信科技有限公司", ""},
		{"foreign", "CERTIFICATE OF INCORPORATION\nCompany name: Northbridge Trading Ltd\nThis document is submitted for business licence application.", "Northbridge Trading Ltd", "business licence application"},
		{"english label in a sentence", "Name of the director: see annex\nApplicant: Jane Doe", "Jane Doe", ""},
		{"title opening with a label", "企业名称变更登记申请书\n申请人（单位）名称：长春宏达食品有限公司\n申请事项：企业名称变更登记", "长春宏达食品有限公司", "企业名称变更登记"},
		{"only the title opens with a label", "企业名称变更登记申请书\n联系电话：13800000000", "", ""},
		{"blank form", "申请书\n申请人：________\n申请事项：\n本人承诺所提交的申请材料真实、合法、有效。", "", ""},
		{"articles name no applicant", "公司章程\n第二条 公司名称：长春宏达有限公司。", "", ""},
	} {
		if got := Applicant(c.text); got != c.applicant {
			t.Errorf("%s: applicant %q, want %q", c.name, got, c.applicant)
		}
		if got := Matter(c.text); got != c.matter {
			t.Errorf("%s: matter %q, want %q", c.name, got, c.matter)
		}
	}
}
