#include "assets/demo.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "assets/handling.h"
#include "org/access.h"
#include "org/org_service.h"

namespace mamori::assets {

namespace {

// ひばり野市's registers (docs/demo.md). Units are named as org/demo.cpp makes them;
// managers (情報セキュリティ管理者) are the section managers' usernames.

struct DemoSystem {
    const char* name;
    const char* purpose;
    const char* unit;
    const char* zone;
    const char* hosting;
    const char* vendor;
    const char* highest;
    const char* status = "in_use";
};

const std::vector<DemoSystem> kSystems = {
    {"住民記録システム", "住民基本台帳の記録、住民票の写し等の証明書の発行、転入・転出の処理",
     "市民課", "mynumber", "datacenter", "ひばりシステム株式会社", "3B"},
    {"税務システム", "個人住民税・固定資産税・軽自動車税の賦課と収納、滞納整理、税務証明の発行",
     "税務課", "mynumber", "cloud", "野原データサービス株式会社", "3B"},
    {"福祉総合システム", "生活保護、障害者福祉、予防接種、避難行動要支援者名簿の管理", "福祉課",
     "mynumber", "datacenter", "株式会社すずらん情報", "3B"},
    {"財務会計システム", "予算編成、予算執行、契約と支払、決算", "総務課", "lgwan", "onprem",
     "株式会社ひばりソフト", "3C"},
    {"文書管理システム", "文書の収受・起案・電子決裁・保存・廃棄の管理", "総務課", "lgwan",
     "onprem", "株式会社ひばりソフト", "3C"},
    {"人事給与システム", "職員の人事記録、給与・手当の計算、年末調整", "人事課", "lgwan", "cloud",
     "ひばりシステム株式会社", "3B"},
    {"ホームページCMS", "市公式ホームページの作成・承認・公開", "総務課", "internet", "cloud",
     "株式会社あおぞらウェブ", "2"},
    {"インターネット閲覧端末", "インターネットの閲覧とインターネットメール (仮想ブラウザ方式)",
     "情報政策課", "internet", "datacenter", "株式会社みどりネット", "2"},
    {"電子申請システム", "各種申請・届出のオンライン受付 (来年度の稼働に向けて調達中)",
     "情報政策課", "lgwan", "cloud", "野原データサービス株式会社", "3C", "planned"},
};

/// When an asset is next to be reviewed, relative to today.
enum class Review {
    kNextApril,     ///< the next 1 April at least 45 days away (most assets)
    kOverdueLong,   ///< 45 days ago
    kOverdueShort,  ///< 12 days ago
    kSoon,          ///< in 10 days
    kSoonLater,     ///< in 25 days
};

struct DemoAsset {
    const char* name;
    const char* description;
    const char* unit;
    const char* manager;  ///< username; "" when the unit has no section manager
    const char* form;
    const char* system;  ///< system name; "" when not kept in a registered system
    const char* storage;
    const char* c;
    const char* i;
    const char* a;
    bool personal = false;
    bool specific = false;
    const char* retention = "";
    Review review = Review::kNextApril;
    const char* notes = "";
    int copies = 1;
};

constexpr const char* kMinkiroku = "住民記録システム";
constexpr const char* kZeimu = "税務システム";
constexpr const char* kFukushi = "福祉総合システム";
constexpr const char* kZaimu = "財務会計システム";
constexpr const char* kBunsho = "文書管理システム";
constexpr const char* kJinji = "人事給与システム";
constexpr const char* kCms = "ホームページCMS";
constexpr const char* kBrowsing = "インターネット閲覧端末";

const std::vector<DemoAsset> kAssets = {
    // 市民課
    {"住民票データ (住民基本台帳)", "全住民の住民票の記録。個人番号を含む。", "市民課",
     "shimin-kacho", "electronic", kMinkiroku, "データセンター (住民記録システム)", "3B", "2", "2",
     true, true, "消除後150年"},
    {"住民異動届 (紙)", "転入・転出・転居の届出書の原本。個人番号の記載欄がある。", "市民課",
     "shimin-kacho", "paper", "", "市民課 書庫 (施錠)", "3B", "2", "1", true, true, "5年"},
    {"印鑑登録原票", "印鑑登録の原票と登録印影。", "市民課", "shimin-kacho", "paper", "",
     "市民課 耐火金庫", "3B", "2", "2", true, false, "廃止後5年", Review::kOverdueLong},
    // 税務課
    {"課税台帳 (個人住民税)", "個人住民税の課税情報。個人番号を含む。", "税務課", "zeimu-kacho",
     "electronic", kZeimu, "ガバメントクラウド (税務システム)", "3B", "2", "2", true, true, "5年"},
    {"固定資産課税台帳", "土地・家屋の所有者と評価額。", "税務課", "zeimu-kacho", "electronic",
     kZeimu, "ガバメントクラウド (税務システム)", "3B", "2", "2", true, false, "永年"},
    {"給与支払報告書 (紙)", "事業所から提出された給与支払報告書。個人番号を含む。", "税務課",
     "zeimu-kacho", "paper", "", "税務課 書庫 (施錠)", "3B", "2", "1", true, true, "5年"},
    {"滞納整理事績", "市税の滞納者ごとの折衝・差押え等の記録。", "税務課", "zeimu-kacho",
     "electronic", kZeimu, "ガバメントクラウド (税務システム)", "3B", "2", "1", true, true, "5年"},
    {"市県民税申告書 (保存期間満了分)", "保存期間を満了した年度の市県民税申告書。個人番号を含む。",
     "税務課", "zeimu-kacho", "paper", "", "税務課 書庫 (施錠)", "3B", "2", "1", true, true, "5年"},
    // 福祉課
    {"生活保護ケース記録 (紙)", "ケースワーカーによる訪問・面談の記録と関係書類。", "福祉課",
     "fukushi-kacho", "paper", "", "福祉課 施錠キャビネット", "3B", "2", "2", true, false,
     "廃止後5年"},
    {"生活保護受給者台帳", "受給者と世帯員の基本情報、保護の決定と支給の記録。個人番号を含む。",
     "福祉課", "fukushi-kacho", "electronic", kFukushi, "データセンター (福祉総合システム)", "3B",
     "2", "2", true, true, "廃止後5年"},
    {"障害者手帳交付台帳", "身体障害者手帳・療育手帳・精神障害者保健福祉手帳の交付記録。", "福祉課",
     "fukushi-kacho", "electronic", kFukushi, "データセンター (福祉総合システム)", "3B", "2", "2",
     true, true, "返還後5年"},
    {"避難行動要支援者名簿", "災害時に避難の支援を要する方の名簿。平常時は同意者分のみ提供する。",
     "福祉課", "fukushi-kacho", "electronic", kFukushi, "データセンター (福祉総合システム)", "3B",
     "2", "2", true, false, "更新時まで"},
    // 健康推進課
    {"予防接種記録", "定期予防接種の接種履歴。個人番号を含む。", "健康推進課", "kenko-kacho",
     "electronic", kFukushi, "データセンター (福祉総合システム)", "3B", "2", "2", true, true,
     "5年"},
    {"乳幼児健診結果票 (紙)", "乳幼児健康診査の問診票と結果票。", "健康推進課", "kenko-kacho",
     "paper", "", "健康推進課 施錠キャビネット", "3B", "2", "1", true, false, "5年"},
    // Deliberately inconsistent (2 of 2): personal information at the lowest level.
    {"健康まつり 参加申込者名簿", "健康まつりの参加申込者の氏名・住所・電話番号。", "健康推進課",
     "kenko-kacho", "electronic", kBunsho, "文書管理システム", "1", "1", "1", true, false, "1年"},
    // 人事課
    {"職員名簿", "職員の氏名・所属・内線番号。", "人事課", "jinji-kacho", "electronic", kJinji,
     "クラウド (人事給与システム)", "2", "1", "1", true, false, "更新時まで"},
    {"人事評価記録", "職員の人事評価の結果と面談記録。", "人事課", "jinji-kacho", "electronic",
     kJinji, "クラウド (人事給与システム)", "3B", "2", "1", true, false, "5年"},
    {"給与支払データ", "職員の給与・手当・控除の計算結果と振込データ。", "人事課", "jinji-kacho",
     "electronic", kJinji, "クラウド (人事給与システム)", "3B", "2", "2", true, false, "5年"},
    // Deliberately inconsistent (1 of 2): 特定個人情報 in an LGWAN system.
    {"扶養控除等申告書データ",
     "年末調整のために職員から提出された扶養控除等申告書。個人番号を含む。", "人事課",
     "jinji-kacho", "electronic", kJinji, "クラウド (人事給与システム)", "3B", "2", "1", true, true,
     "7年"},
    {"懲戒処分関係記録", "懲戒処分の調査・審査の記録。", "人事課", "jinji-kacho", "paper", "",
     "人事課 金庫", "3A", "2", "1", true, false, "10年"},
    {"職員採用試験 答案用紙", "職員採用試験の答案。試験の結果の確定後に廃棄する。", "人事課",
     "jinji-kacho", "paper", "", "人事課 金庫", "3B", "1", "1", true, false, "1年"},
    // 総務課
    {"予算編成資料", "当初予算の要求・査定の資料 (公表前)。", "総務課", "soumu-kacho", "electronic",
     kZaimu, "庁内サーバ室 (財務会計システム)", "3C", "2", "1", false, false, "5年"},
    {"議会答弁案", "市議会の一般質問に対する答弁の案 (答弁前)。", "総務課", "soumu-kacho",
     "electronic", kBunsho, "文書管理システム", "2", "2", "1", false, false, "1年"},
    {"入札参加資格者名簿", "建設工事・物品の入札参加資格を認めた事業者の名簿。", "総務課",
     "soumu-kacho", "electronic", kZaimu, "庁内サーバ室 (財務会計システム)", "2", "2", "1", false,
     false, "5年"},
    {"入札予定価格調書", "入札の予定価格を記した調書 (開札前)。", "総務課", "soumu-kacho", "paper",
     "", "総務課 金庫", "3A", "2", "1", false, false, "5年"},
    {"広報誌原稿 (広報ひばり野)", "広報誌の原稿と写真 (発行前)。", "総務課", "soumu-kacho",
     "electronic", kCms, "ホームページCMS (非公開領域)", "2", "1", "1", false, false, "1年"},
    {"電子決裁文書", "電子決裁された起案文書と添付資料。", "総務課", "soumu-kacho", "electronic",
     kBunsho, "文書管理システム", "2", "2", "2", true, false, "文書分類による (1年〜永年)"},
    {"地域防災計画", "ひばり野市地域防災計画 (公表版) の原本データ。", "総務課", "soumu-kacho",
     "electronic", kBunsho, "文書管理システム", "1", "2", "2", false, false, "永年", Review::kSoon},
    // 情報政策課 and its 情報システム係
    {"ネットワーク構成図", "庁内ネットワークの構成図と機器の設定一覧。", "情報政策課", "joho-kacho",
     "both", "", "情報政策課 施錠キャビネット / 情報政策課ファイルサーバ", "3C", "2", "1", false,
     false, "更新時まで", Review::kSoonLater},
    {"特権 ID・管理者パスワード管理台帳", "情報システムの特権 ID と管理者パスワードの封印記録。",
     "情報政策課", "joho-kacho", "paper", "", "情報政策課 金庫", "3A", "2", "2", false, false,
     "更新時まで"},
    {"インターネット閲覧ログ", "インターネット閲覧端末の閲覧記録 (職員ごと)。", "情報政策課",
     "joho-kacho", "electronic", kBrowsing, "インターネット閲覧端末 ログサーバ", "2", "1", "1",
     true, false, "1年"},
    {"情報システム運用手順書", "各情報システムの運用・障害対応の手順書。", "情報システム係",
     "joho-kacho", "both", "", "情報システム係 書棚 (施錠)", "3C", "2", "2", false, false,
     "更新時まで"},
    // 行政監査室 (no section manager)
    {"情報セキュリティ監査報告書", "内部監査の報告書と指摘事項の改善状況。", "行政監査室", "",
     "electronic", kBunsho, "文書管理システム", "3C", "2", "1", false, false, "5年"},
    // 環境課, 都市計画課, 道路課
    {"ごみ収集カレンダー原稿", "地区別のごみ収集カレンダーの原稿。", "環境課", "kankyo-kacho",
     "electronic", kCms, "ホームページCMS", "1", "1", "1", false, false, "1年"},
    {"都市計画図 (原図)", "用途地域等を示した都市計画図の原図。", "都市計画課", "toshi-kacho",
     "paper", "", "都市計画課 図面庫", "1", "2", "2", false, false, "永年"},
    {"道路占用許可申請書", "道路占用の許可申請書と許可の控え。", "道路課", "doro-kacho", "paper",
     "", "道路課 書庫", "2", "1", "1", true, false, "5年", Review::kOverdueShort},
};

struct DemoDisposal {
    const char* asset;
    int days_ago;
    const char* method;
    const char* witness;
};

const std::vector<DemoDisposal> kDisposals = {
    {"市県民税申告書 (保存期間満了分)", 20, "溶解処理 (専門業者に委託、溶解証明書を受領)",
     "株式会社ひばり資源リサイクル 立会担当 田中 一郎"},
    {"職員採用試験 答案用紙", 5, "溶解処理", "北村 真由美 (人事課)"},
};

using Days = std::chrono::sys_days;

Days DayOf(const std::string& iso) {
    return Days(std::chrono::year_month_day{std::chrono::year(std::stoi(iso.substr(0, 4))),
                                            std::chrono::month(std::stoi(iso.substr(5, 2))),
                                            std::chrono::day(std::stoi(iso.substr(8, 2)))});
}

std::string IsoOf(Days d) {
    const std::chrono::year_month_day ymd(d);
    return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(ymd.year()),
                       static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

std::string ReviewDate(Review r, Days today) {
    using std::chrono::days;
    switch (r) {
        case Review::kOverdueLong:
            return IsoOf(today - days(45));
        case Review::kOverdueShort:
            return IsoOf(today - days(12));
        case Review::kSoon:
            return IsoOf(today + days(10));
        case Review::kSoonLater:
            return IsoOf(today + days(25));
        case Review::kNextApril:
            break;
    }
    std::chrono::year year = std::chrono::year_month_day(today).year();
    while (Days(year / std::chrono::April / 1) - today < days(45)) year += std::chrono::years(1);
    return IsoOf(Days(year / std::chrono::April / 1));
}

/// The demo's level key as the scheme in force has it: itself, or its first character
/// (3B → 3 in the 3/2/1 scheme); nothing when the scheme has neither.
std::optional<std::string> LevelIn(const policy::ClassificationScheme& scheme,
                                   std::string_view axis, const std::string& key) {
    if (FindLevel(scheme, axis, key)) return key;
    if (key.size() > 1 && FindLevel(scheme, axis, key.substr(0, 1))) return key.substr(0, 1);
    return std::nullopt;
}

std::string Label(const std::string& c, const std::string& i, const std::string& a) {
    if (c == "1") return {};  // nothing to show on what may be published
    return fmt::format("機密性{} 完全性{} 可用性{}", c, i, a);
}

Result<std::map<std::string, std::string>> IdsByName(store::Database& db, const char* sql) {
    auto rs = db.Query(sql);
    if (!rs) return Fail(rs.error());
    std::map<std::string, std::string> out;
    for (const auto& row : rs->rows) out[row.Text(1)] = row.Text(0);
    return out;
}

Error Missing(const std::string& what) {
    return Error::Invalid("demo_city_missing",
                          "デモの市 (ひばり野市) の " + what + " が見つかりません");
}

}  // namespace

Result<void> SeedDemoAssets(store::Database& db, const Clock& clock, const org::RoleCatalog& roles,
                            CatalogSource catalog) {
    for (const char* sql : {"SELECT COUNT(*) FROM systems", "SELECT COUNT(*) FROM assets"}) {
        auto rs = db.Query(sql);
        if (!rs) return Fail(rs.error());
        if (rs->rows[0].Int(0) > 0)
            return Fail(Error::Conflict("demo_assets_exist",
                                        "情報資産台帳が空ではないため、デモの台帳は作れません"));
    }
    auto units = IdsByName(db, "SELECT id, name FROM units WHERE status = 'active'");
    if (!units) return Fail(units.error());
    auto people = IdsByName(db, "SELECT id, username FROM people WHERE status = 'active'");
    if (!people) return Fail(people.error());
    auto in_force = catalog();
    if (!in_force) return Fail(in_force.error());
    if (!*in_force) return Fail(Error::Internal("no policy catalog in force"));
    const policy::ClassificationScheme& scheme = (*in_force)->classification();
    const auto& zones = (*in_force)->zones().zones;

    // Everything the demo names must exist; levels are mapped onto the scheme in force.
    auto unit = [&](const std::string& name) -> Result<std::string> {
        auto it = units->find(name);
        if (it == units->end()) return Fail(Missing("部署「" + name + "」"));
        return it->second;
    };
    auto person = [&](const std::string& username) -> Result<std::string> {
        if (username.empty()) return std::string();
        auto it = people->find(username);
        if (it == people->end()) return Fail(Missing("職員 " + username));
        return it->second;
    };
    bool fits = true;
    auto level = [&](std::string_view axis, const std::string& key) {
        auto l = LevelIn(scheme, axis, key);
        if (!l) fits = false;
        return l.value_or(key);
    };
    for (const auto& s : kSystems) {
        if (std::none_of(zones.begin(), zones.end(),
                         [&](const policy::Zone& z) { return z.key == s.zone; }))
            fits = false;
        level("confidentiality", s.highest);
    }
    for (const auto& a : kAssets) {
        level("confidentiality", a.c);
        level("integrity", a.i);
        level("availability", a.a);
    }
    if (!fits) return {};  // a catalog of another shape: no demo registers

    // The actor: 情報セキュリティ管理者 for every department (so for every unit).
    auto tree = org::UnitTree::Load(db);
    if (!tree) return Fail(tree.error());
    Principal demo;
    demo.username = "(demo)";
    demo.display_name = "デモデータ";
    demo.session_stage = "full";
    for (const auto& node : tree->nodes())
        if (node.parent_id.empty() && node.status == "active")
            demo.grants.push_back({"section_manager", node.id});
    if (const org::Role* role = roles.Find("section_manager")) demo.permissions = role->permissions;
    const Context ctx{&demo, "demo-seed", ""};

    AssetsService service(db, clock, roles, catalog);
    std::map<std::string, std::string> system_ids;
    for (const auto& s : kSystems) {
        auto owner = unit(s.unit);
        if (!owner) return Fail(owner.error());
        NewSystem n;
        n.name = s.name;
        n.purpose = s.purpose;
        n.owner_unit_id = *owner;
        n.zone = s.zone;
        n.hosting = s.hosting;
        n.vendor = s.vendor;
        n.highest_confidentiality = level("confidentiality", s.highest);
        n.status = s.status;
        auto made = service.CreateSystem(ctx, n);
        if (!made) return Fail(made.error());
        system_ids[s.name] = made->id;
    }

    const Days today = DayOf(org::TodayJst(clock.Now()));
    std::map<std::string, Asset> made_assets;
    for (const auto& a : kAssets) {
        auto owner = unit(a.unit);
        if (!owner) return Fail(owner.error());
        auto manager = person(a.manager);
        if (!manager) return Fail(manager.error());
        NewAsset n;
        n.name = a.name;
        n.description = a.description;
        n.owner_unit_id = *owner;
        n.manager_person_id = *manager;
        n.form = a.form;
        n.system_id = *a.system ? system_ids.at(a.system) : std::string();
        n.storage_location = a.storage;
        n.confidentiality = level("confidentiality", a.c);
        n.integrity = level("integrity", a.i);
        n.availability = level("availability", a.a);
        n.personal_info = a.personal;
        n.specific_personal_info = a.specific;
        n.retention = a.retention;
        n.copies = a.copies;
        n.label_text = Label(n.confidentiality, n.integrity, n.availability);
        n.next_review_on = ReviewDate(a.review, today);
        n.notes = a.notes;
        auto made = service.CreateAsset(ctx, n);
        if (!made) return Fail(made.error());
        made_assets[a.name] = std::move(*made);
    }

    for (const auto& d : kDisposals) {
        const Asset& asset = made_assets.at(d.asset);
        Disposal disposal;
        disposal.disposed_on = IsoOf(today - std::chrono::days(d.days_ago));
        disposal.method = d.method;
        disposal.disposed_by = asset.manager_person_id;
        disposal.witness = d.witness;
        if (auto r = service.DisposeAsset(ctx, asset.id, disposal); !r) return Fail(r.error());
    }
    return {};
}

}  // namespace mamori::assets
