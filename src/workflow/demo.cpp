#include "workflow/demo.h"

#include <fmt/format.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "org/access.h"
#include "org/demo.h"
#include "org/org_service.h"
#include "workflow/exceptions.h"
#include "workflow/workflow_service.h"

namespace mamori::workflow {

namespace {

namespace json = boost::json;

std::string IsoDaysFrom(const std::string& iso, int days) { return AddDays(iso, days); }

json::object Period(const std::string& today, int from, int to) {
    return {{"from", IsoDaysFrom(today, from)}, {"to", IsoDaysFrom(today, to)}};
}

class Seeder {
  public:
    Seeder(store::Database& db, const org::RoleCatalog& roles, WorkflowService& service,
           std::string today)
        : actors_(db, roles, today), service_(service), today_(std::move(today)) {}

    Result<std::string> Person(const std::string& username) { return actors_.Person(username); }
    Result<Context> As(const std::string& person_id) { return actors_.As(person_id); }

    // An upload by `username`, for a form to name.
    Result<std::string> Attach(AttachmentStore& store, const std::string& username,
                               const std::string& filename, const std::string& content) {
        auto person = Person(username);
        if (!person) return Fail(person.error());
        auto ctx = As(*person);
        if (!ctx) return Fail(ctx.error());
        auto a = store.Upload(*ctx, filename, content);
        if (!a) return Fail(a.error());
        return a->id;
    }

    Result<Request> Submit(const std::string& username, NewRequest n) {
        auto person = Person(username);
        if (!person) return Fail(person.error());
        auto ctx = As(*person);
        if (!ctx) return Fail(ctx.error());
        return service_.Submit(*ctx, n);
    }

    // The pending step's approver acts; `steps` approvals at most (-1: to the end).
    Result<Request> Approve(Request q, int steps = -1, const std::string& comment = "") {
        for (int i = 0; q.state == "submitted" && i != steps; ++i) {
            auto ctx = As(q.steps.at(static_cast<std::size_t>(q.step)).approver_id);
            if (!ctx) return Fail(ctx.error());
            auto next = service_.Act(*ctx, q.id, Action::kApprove, comment);
            if (!next) return Fail(next.error());
            q = std::move(*next);
        }
        return q;
    }

    Result<Request> Decide(const Request& q, Action action, const std::string& comment) {
        const std::string who = action == Action::kWithdraw
                                    ? q.applicant_id
                                    : q.steps.at(static_cast<std::size_t>(q.step)).approver_id;
        auto ctx = As(who);
        if (!ctx) return Fail(ctx.error());
        return service_.Act(*ctx, q.id, action, comment);
    }

    const std::string& today() const { return today_; }

  private:
    org::DemoActors actors_;
    WorkflowService& service_;
    std::string today_;
};

Result<std::string> FirstId(store::Database& db, const std::string& sql, const std::string& what) {
    auto rs = db.Query(sql);
    if (!rs) return Fail(rs.error());
    if (rs->rows.empty())
        return Fail(Error::Invalid("demo_city_missing", "デモのデータがありません: " + what));
    return rs->rows[0].Text(0);
}

}  // namespace

// A one-page PDF saying `line` (ASCII), with a correct cross-reference table.
static std::string DemoPdf(const std::string& line) {
    const std::string stream = "BT /F1 14 Tf 72 760 Td (" + line + ") Tj ET";
    const std::vector<std::string> objects = {
        "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        "<< /Length " + std::to_string(stream.size()) + " >>\nstream\n" + stream + "\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"};
    std::string pdf = "%PDF-1.4\n";
    std::vector<std::size_t> offsets;
    for (std::size_t i = 0; i < objects.size(); ++i) {
        offsets.push_back(pdf.size());
        pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    const std::size_t xref = pdf.size();
    pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
    for (std::size_t o : offsets) pdf += fmt::format("{:010d} 00000 n \n", o);
    pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) +
           " /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    return pdf;
}

Result<void> SeedDemoRequests(store::Database& db, const Clock& clock,
                              const org::RoleCatalog& roles, assets::CatalogSource catalog,
                              AttachmentStore* attachments) {
    WorkflowService service(db, clock, roles, catalog);
    auto c = catalog();
    if (!c) return Fail(c.error());
    for (const char* key :
         {"takeout", "provision", "disposal", "software_install", "privileged_id", "exception"})
        if (!(*c)->FindRequestType(key)) return {};
    Seeder s(db, roles, service, org::TodayJst(clock.Now()));
    const std::string& today = s.today();

    auto shimin_asset = FirstId(db,
                                "SELECT a.id FROM assets a JOIN units u ON u.id = "
                                "a.owner_unit_id WHERE u.name = '市民課' AND a.status = "
                                "'active' AND a.form <> 'paper' ORDER BY a.asset_number",
                                "市民課の情報資産");
    if (!shimin_asset) return Fail(shimin_asset.error());
    auto paper_asset = FirstId(db,
                               "SELECT a.id FROM assets a JOIN units u ON u.id = "
                               "a.owner_unit_id WHERE u.name = '市民課' AND a.status = "
                               "'active' AND a.form = 'paper' ORDER BY a.asset_number",
                               "市民課の紙の情報資産");
    if (!paper_asset) return Fail(paper_asset.error());
    auto system =
        FirstId(db, "SELECT id FROM systems WHERE status = 'in_use' ORDER BY name", "情報システム");
    if (!system) return Fail(system.error());
    auto zeimu = FirstId(db, "SELECT id FROM units WHERE name = '税務課'", "税務課");
    if (!zeimu) return Fail(zeimu.error());

    // 市民課: a take-out approved, another waiting for the section manager.
    json::object takeout{{"asset", *paper_asset},
                         {"purpose", "地区の住民説明会で配布資料の元として使うため"},
                         {"destination", "ひばり野市 北地区コミュニティセンター"},
                         {"method", "paper"},
                         {"period", Period(today, 3, 3)}};
    auto t1 = s.Submit("shimin-staff", {"takeout", "住民説明会の資料の持ち出し", takeout});
    if (!t1) return Fail(t1.error());
    if (auto r = s.Approve(*t1, -1, "返却時に申し出てください"); !r) return Fail(r.error());
    takeout["period"] = Period(today, 7, 8);
    takeout["destination"] = "県庁 市町村課 (打合せ)";
    takeout["purpose"] = "県との打合せで様式の記入例として示すため";
    auto t2 = s.Submit("shimin-staff", {"takeout", "県との打合せ資料の持ち出し", takeout});
    if (!t2) return Fail(t2.error());

    // A provision sent back for changes; a disposal refused.
    auto p = s.Submit("shimin-staff", {"provision",
                                       "転入者数の集計の提供",
                                       {{"asset", *shimin_asset},
                                        {"recipient", "ひばり野県 統計課"},
                                        {"purpose", "県の人口動態調査への回答のため"},
                                        {"method", "email"},
                                        {"provided_on", IsoDaysFrom(today, 5)}}});
    if (!p) return Fail(p.error());
    if (auto r = s.Decide(*p, Action::kReturn,
                          "個人を識別できない集計値に限ることを提供内容に明記してください");
        !r)
        return Fail(r.error());
    auto d = s.Submit("shimin-staff", {"disposal",
                                       "住民異動届の廃棄",
                                       {{"asset", *paper_asset},
                                        {"items", "保存期間の過ぎていない届出書 1 箱"},
                                        {"method", "dissolving"},
                                        {"planned_on", IsoDaysFrom(today, 10)}}});
    if (!d) return Fail(d.error());
    if (auto r = s.Decide(*d, Action::kReject, "保存期間が満了していないため廃棄できません"); !r)
        return Fail(r.error());

    // 情報政策課: software withdrawn; a privileged-ID use waiting.
    auto sw = s.Submit("joho-tanto", {"software_install",
                                      "PDF 編集ソフトの導入",
                                      {{"software", "PDF 編集ソフト"},
                                       {"purpose", "様式の PDF に記入欄を設けるため"},
                                       {"system", *system},
                                       {"licence", "commercial"},
                                       {"source", "販売元の公式サイト"}}});
    if (!sw) return Fail(sw.error());
    if (auto r = s.Decide(*sw, Action::kWithdraw, "既存のソフトで対応できたため"); !r)
        return Fail(r.error());
    auto priv = s.Submit("joho-tanto", {"privileged_id",
                                        "夜間の更新作業での管理者 ID の利用",
                                        {{"system", *system},
                                         {"account", "administrator"},
                                         {"work", "業者による修正プログラムの適用の立会い"},
                                         {"reason", "適用には管理者権限が必要なため"},
                                         {"period", Period(today, 2, 2)}}});
    if (!priv) return Fail(priv.error());

    // The exceptions ledger: one in force, one reported after an emergency, one expired.
    json::object usb{{"control", "9-4(1)"},
                     {"units", json::array{*zeimu}},
                     {"reason", "申告期に国税の電子データを受け取る手段がほかにないため"},
                     {"compensating_measures",
                      "暗号化機能付きの支給 USB メモリに限り、使用後は毎回消去と記録を行う"},
                     {"period", Period(today, -30, 90)}};
    if (attachments) {
        auto id = s.Attach(*attachments, "zeimu-kacho", "USBメモリ運用手順書.pdf",
                           DemoPdf("Hibarino City - USB memory procedure (demo)"));
        if (!id) return Fail(id.error());
        usb["attachments"] = json::array{id->c_str()};
    }
    auto e1 =
        s.Submit("zeimu-kacho", {"exception", "確定申告期の窓口端末での USB メモリの使用", usb});
    if (!e1) return Fail(e1.error());
    if (auto r = s.Approve(*e1); !r) return Fail(r.error());
    auto e2 =
        s.Submit("shimin-kacho",
                 {"exception",
                  "停電時の住民票の写しの手書き交付",
                  {{"control", "9-4(2)"},
                   {"reason", "停電で住民記録システムが使えず、交付を止められなかったため"},
                   {"compensating_measures", "交付記録を紙で残し、復旧後にシステムへ登録した"},
                   {"emergency", true},
                   {"period", Period(today, -5, 25)}}});
    if (!e2) return Fail(e2.error());
    if (auto r = s.Approve(*e2); !r) return Fail(r.error());
    auto e3 =
        s.Submit("zeimu-kacho",
                 {"exception",
                  "旧課税システムの更新遅れ",
                  {{"control", "9-4(1)"},
                   {"reason", "後継システムへの移行が決算期と重なったため"},
                   {"compensating_measures", "外部との接続を止め、操作記録を週ごとに点検する"},
                   {"period", Period(today, -200, -20)}}});
    if (!e3) return Fail(e3.error());
    if (auto r = s.Approve(*e3); !r) return Fail(r.error());
    if (auto r = service.ExpireDue(); !r) return Fail(r.error());

    // One past its review date: approved some time ago (within this fiscal year, when the
    // demo appointments exist), and reviewed then with a next review date now passed.
    const int into_year = DaysBetween(org::FiscalYearStart(today), today);
    if (into_year >= 2) {
        const int ago = std::min(200, into_year);
        FixedClock past(clock.Now() - std::chrono::days(ago));
        WorkflowService then(db, past, roles, catalog);
        Seeder earlier(db, roles, then, org::TodayJst(past.Now()));
        auto e4 = earlier.Submit(
            "kankyo-kacho",
            {"exception",
             "不法投棄監視カメラの映像の庁外保管",
             {{"control", "9-4(1)"},
              {"reason", "監視カメラの録画装置が庁舎外の現地にしか置けないため"},
              {"compensating_measures", "録画装置を施錠した筐体に収め、映像は暗号化して保存する"},
              {"period", Period(today, -ago, 365 - ago - 1)}}});
        if (!e4) return Fail(e4.error());
        auto approved = earlier.Approve(*e4);
        if (!approved) return Fail(approved.error());
        auto ciso = earlier.Person("ciso");
        if (!ciso) return Fail(ciso.error());
        auto as_ciso = earlier.As(*ciso);
        if (!as_ciso) return Fail(as_ciso.error());
        ExceptionsLedger ledger(db, past, roles, then);
        if (auto r = ledger.Review(
                *as_ciso, e4->id,
                {"continue", "筐体の施錠と暗号化の設定を現地で確かめた", IsoDaysFrom(today, -1)});
            !r)
            return Fail(r.error());
    }
    return {};
}

}  // namespace mamori::workflow
