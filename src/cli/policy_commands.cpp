#include "cli/policy_commands.h"

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <memory>

#include "app/app.h"
#include "cli/admin_commands.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "org/roles.h"
#include "policy/catalog.h"
#include "policy/oscal.h"
#include "policy/policy_service.h"

namespace fs = std::filesystem;

namespace mamori::cli {

namespace {

struct Options {
    fs::path data;
    fs::path dir;
    std::string version;
    fs::path out;
};

// Opens the data directory and runs `fn(service, ctx)` as the local administrator.
int WithPolicies(const Options& o,
                 const std::function<int(policy::PolicyService&, const Context&)>& fn) {
    return WithDatabase(o.data, [&](store::Database& db, const Config&, const Context& ctx) {
        SystemClock clock;
        policy::PolicyService service(db, clock, org::RoleCatalog::Builtin());
        return fn(service, ctx);
    });
}

int Check(const Options& o) {
    auto files = policy::ReadCatalogDir(o.dir);
    if (!files) return Report(files.error());
    std::vector<policy::Problem> problems;
    auto catalog = policy::Catalog::Parse(*files, &problems);
    if (!catalog) {
        std::fprintf(stderr, "%s\n", policy::FormatProblems(problems).c_str());
        std::fprintf(stderr, "mamori: %zu 件の問題があります / %zu problem(s)\n", problems.size(),
                     problems.size());
        return 1;
    }
    int requirements = 0;
    for (const auto& c : catalog->controls()) requirements += c.leaf();
    std::printf("mamori: 問題はありません / no problems: %s %s 版 %s (施行 %s)、対策基準 %d 項目\n",
                catalog->policy().city.c_str(), catalog->policy().title.c_str(),
                catalog->policy().version.c_str(), catalog->policy().effective_date.c_str(),
                requirements);
    return 0;
}

}  // namespace

std::function<int()> AddPolicyCommands(CLI::App& app) {
    auto o = std::make_shared<Options>();
    auto* policy = app.add_subcommand("policy", "ポリシーカタログ / the policy catalog");
    policy->require_subcommand(1);

    auto* check = policy->add_subcommand(
        "check",
        "カタログを検査し、問題をファイルと行番号付きですべて表示 / check a catalog folder and "
        "report every problem with its file and line");
    check->add_option("dir", o->dir, "カタログのフォルダ / catalog folder")->required();

    auto* load = policy->add_subcommand(
        "load",
        "カタログを検査して新しい版として読み込む (問題があれば何も変えない) / check a "
        "catalog and load it as a new version (nothing changes if it has problems)");
    load->add_option("dir", o->dir, "カタログのフォルダ / catalog folder")->required();
    load->add_option("--data", o->data, "データディレクトリ / data directory")->required();

    auto* versions = policy->add_subcommand("versions", "読み込んだ版の一覧 / list versions");
    versions->add_option("--data", o->data, "データディレクトリ / data directory")->required();

    auto* oscal = policy->add_subcommand(
        "export-oscal",
        "ポリシーを OSCAL 1.1 カタログ (JSON) として書き出す / export the policy as an OSCAL 1.1 "
        "catalog (JSON)");
    oscal->add_option("--data", o->data, "データディレクトリ / data directory")->required();
    oscal->add_option("--version", o->version,
                      "版 (省略時は施行中の版) / version; the one in force when omitted");
    oscal->add_option("--out", o->out,
                      "書き出すファイル (省略時は標準出力) / file; stdout when omitted");

    return [o, check, load, versions, oscal]() -> int {
        if (check->parsed()) return Check(*o);
        if (load->parsed())
            return WithPolicies(*o, [&](policy::PolicyService& s, const Context& ctx) {
                auto files = policy::ReadCatalogDir(o->dir);
                if (!files) return Report(files.error());
                auto v = s.Load(ctx, *files);
                if (!v) return Report(v.error());
                std::printf("mamori: 版 %s (施行 %s) を読み込みました%s / loaded version %s\n",
                            v->version.c_str(), v->effective_date.c_str(),
                            v->in_force ? "。現在施行中の版です" : "", v->version.c_str());
                return 0;
            });
        if (versions->parsed())
            return WithPolicies(*o, [&](policy::PolicyService& s, const Context&) {
                auto all = s.Versions();
                if (!all) return Report(all.error());
                for (const auto& v : *all)
                    std::printf("%s\t%s\t%s\t%s\t%s\n", v.in_force ? "*" : " ", v.version.c_str(),
                                v.effective_date.c_str(), v.loaded_at.c_str(),
                                v.content_sha256.substr(0, 12).c_str());
                return 0;
            });
        if (oscal->parsed())
            return WithPolicies(*o, [&](policy::PolicyService& s, const Context&) {
                auto v = o->version.empty() ? s.InForce() : s.Get(o->version);
                if (!v) return Report(v.error());
                const std::string text =
                    boost::json::serialize(policy::ToOscal(*v->catalog)) + "\n";
                if (o->out.empty()) {
                    std::fwrite(text.data(), 1, text.size(), stdout);
                    return 0;
                }
                std::ofstream out(o->out, std::ios::binary | std::ios::trunc);
                out << text;
                if (!out.flush())
                    return Report(Error::Unavailable("cannot write " + o->out.string()));
                std::printf("mamori: 版 %s を OSCAL で書き出しました / wrote %s\n",
                            v->info.version.c_str(), o->out.c_str());
                return 0;
            });
        return -1;
    };
}

}  // namespace mamori::cli
