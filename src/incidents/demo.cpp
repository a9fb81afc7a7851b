#include "incidents/demo.h"

#include <chrono>

#include "incidents/incidents_service.h"
#include "org/demo.h"
#include "org/org_service.h"

namespace mamori::incidents {

namespace {

// The id of the demo unit named `name`.
Result<std::string> UnitId(store::Database& db, const std::string& name) {
    auto rs = db.Query("SELECT id FROM units WHERE name = ?", {name});
    if (!rs) return Fail(rs.error());
    if (rs->rows.empty())
        return Fail(Error::Invalid("demo_city_missing", "デモに " + name + " がありません"));
    return rs->rows[0].Text(0);
}

}  // namespace

Result<void> SeedDemoIncidents(store::Database& db, const Clock& clock,
                               const org::RoleCatalog& roles, assets::CatalogSource catalog) {
    auto c = catalog();
    if (!c) return Fail(c.error());
    if (!(*c)->incident_rules().defined) return {};
    IncidentsService service(db, clock, roles, catalog);
    org::DemoActors people(db, roles, org::TodayJst(clock.Now()));
    const auto now = clock.Now();
    auto ago = [&](int days, int hours = 0) {
        return FormatRfc3339(now - std::chrono::hours(24 * days + hours));
    };
    auto unit = [&](const std::string& name) { return UnitId(db, name); };
    auto as = [&](const std::string& username) { return people.AsUser(username); };
    // Each step as its own actor; any failure stops the seeding.
    Result<void> ok;
    auto check = [&](const auto& r) {
        if (!r && ok) ok = Fail(r.error());
        return static_cast<bool>(r);
    };

    auto csirt = as("soumu-csirt");
    if (!csirt) return Fail(csirt.error());
    const Context team = *csirt;

    // 1. 市民課: 住民票の写しを別人に交付 (personal information; deadlines running).
    auto shimin = unit("市民課");
    if (!shimin) return Fail(shimin.error());
    auto staff = as("shimin-staff");
    if (!staff) return Fail(staff.error());
    NewIncident n1;
    n1.title = "住民票の写しの誤交付";
    n1.description =
        "窓口で住民票の写しを交付した際、同じ姓の別の方の写しを渡してしまった。"
        "受け取った方から電話があり判明した。";
    n1.category = "misdelivery";
    n1.discovered_at = ago(3, 2);
    n1.unit_id = *shimin;
    n1.personal_information = true;
    n1.scope_estimate = "住民 1 名の氏名・住所・生年月日・続柄。写しは回収済み。";
    auto i1 = service.Report(*staff, n1);
    if (!check(i1)) return ok;
    check(service.Move(team, i1->id, {"accepted", "", "high", ""}));
    IncidentChange h1;
    h1.containment =
        std::string("受け取った方を訪問して写しを回収した。本人に経緯を説明し謝罪した。");
    check(service.Update(team, i1->id, h1));
    check(service.AddEntry(team, i1->id,
                           {"contact",
                            "交付を受けた方を訪問し、写しを回収。複製していないことを確認した。",
                            "",
                            "",
                            "",
                            0,
                            {}}));
    check(service.Move(team, i1->id, {"responding", "", "", ""}));
    check(
        service.Move(team, i1->id, {"investigating", "窓口での本人確認の手順を確認する", "", ""}));
    check(service.AddEntry(
        *staff, i1->id,
        {"action",
         "交付時に氏名の読み上げだけで渡していた。生年月日の確認をしていなかった。",
         "",
         "",
         "",
         0,
         {}}));
    if (!ok) return ok;

    // 2. 税務課: USB メモリの紛失, being contained.
    auto zeimu = unit("税務課");
    if (!zeimu) return Fail(zeimu.error());
    auto zstaff = as("zeimu-staff");
    if (!zstaff) return Fail(zstaff.error());
    NewIncident n2;
    n2.title = "USB メモリの紛失";
    n2.description =
        "課税資料の作業に使った庁用の USB メモリが見当たらない。暗号化の有無を確認中。";
    n2.category = "loss_theft";
    n2.discovered_at = ago(6, 5);
    n2.unit_id = *zeimu;
    n2.scope_estimate = "中身は集計用の表で、個人が特定できる情報は含まない見込み。";
    auto i2 = service.Report(*zstaff, n2);
    if (!check(i2)) return ok;
    check(service.Move(team, i2->id, {"accepted", "", "medium", ""}));
    check(service.Move(team, i2->id, {"responding", "庁舎内と立ち回り先を捜索する", "", ""}));
    check(
        service.AddEntry(team, i2->id,
                         {"action",
                          "執務室、会議室、書庫を捜索したが見つからない。遺失届を警察に提出した。",
                          "",
                          "",
                          "",
                          0,
                          {}}));
    check(service.AddEntry(team, i2->id,
                           {"outside_report",
                            "平川警察署に遺失届を提出 (受理番号は控えを保管)。",
                            "警察",
                            AddDays(org::TodayJst(now), -5),
                            "",
                            0,
                            {}}));
    if (!ok) return ok;

    // 3. 環境課: 不審なメールの添付ファイル, not triaged yet.
    auto kankyo = unit("環境課");
    if (!kankyo) return Fail(kankyo.error());
    auto kstaff = as("kankyo-staff");
    if (!kstaff) return Fail(kstaff.error());
    NewIncident n3;
    n3.title = "不審なメールの添付ファイルを開いた";
    n3.description =
        "業者を名乗るメールの添付ファイル (請求書.zip) を開いてしまった。その後、画面に変化はない。"
        "端末は LAN ケーブルを抜いてそのままにしている。";
    n3.category = "malware";
    n3.discovered_at = ago(0, 1);
    n3.unit_id = *kankyo;
    if (!check(service.Report(*kstaff, n3))) return ok;

    // 4. 情報政策課: 窓口システムの停止, closed.
    auto joho = unit("情報政策課");
    if (!joho) return Fail(joho.error());
    auto tanto = as("joho-tanto");
    if (!tanto) return Fail(tanto.error());
    NewIncident n4;
    n4.title = "窓口システムの停止";
    n4.description = "朝 8 時 40 分から約 50 分間、証明書交付の窓口システムに接続できなかった。";
    n4.category = "outage";
    n4.discovered_at = ago(20, 3);
    n4.unit_id = *joho;
    auto i4 = service.Report(*tanto, n4);
    if (!check(i4)) return ok;
    check(service.Move(team, i4->id, {"accepted", "", "low", ""}));
    check(service.Move(team, i4->id, {"responding", "", "", ""}));
    IncidentChange h4;
    h4.containment = std::string("予備のスイッチに切り替えて復旧した。");
    h4.cause = std::string("庁内ネットワークのスイッチの電源装置が故障した。");
    h4.recurrence_prevention =
        std::string("同型のスイッチの電源装置を予防交換し、予備機を各フロアに置いた。");
    check(service.Update(team, i4->id, h4));
    check(service.Move(team, i4->id, {"investigating", "", "", ""}));
    check(service.Move(team, i4->id, {"preventing", "", "", ""}));
    check(service.Move(team, i4->id, {"closed", "報告書を CISO に提出した", "", ""}));
    if (!ok) return ok;

    // 5. 福祉課: パスワードを書いた付箋, accepted.
    auto fukushi = unit("福祉課");
    if (!fukushi) return Fail(fukushi.error());
    auto fstaff = as("fukushi-staff");
    if (!fstaff) return Fail(fstaff.error());
    NewIncident n5;
    n5.title = "パスワードを書いた付箋";
    n5.description = "共用端末のディスプレイに、ログインのパスワードを書いた付箋が貼られていた。";
    n5.category = "violation";
    n5.discovered_at = ago(1, 4);
    n5.unit_id = *fukushi;
    auto i5 = service.Report(*fstaff, n5);
    if (!check(i5)) return ok;
    check(service.Move(team, i5->id, {"accepted", "", "low", ""}));
    return ok;
}

}  // namespace mamori::incidents
