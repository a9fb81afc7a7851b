// The mamori command: server and administration tool in one binary.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "app/app.h"
#include "cli/admin_commands.h"
#include "cli/ledger_commands.h"
#include "cli/policy_commands.h"
#include "core/config.h"
#include "core/logging.h"
#include "core/version.h"
#include "org/roles.h"

namespace fs = std::filesystem;

namespace {

int Report(const mamori::Error& e) {
    std::fprintf(stderr, "mamori: %s\n", e.message.c_str());
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{
        "mamori (守り) — 自治体の情報セキュリティポリシーを日々運用するための基盤\n"
        "mamori — the platform on which a Japanese municipality runs its information security "
        "policy"};
    cli.require_subcommand(1);
    cli.set_help_all_flag("--help-all", "すべてのコマンドの説明 / help for every command");

    cli.add_subcommand("version", "版を表示 / print the version")->callback([] {
        std::printf("mamori %s\n", mamori::kVersion);
    });

    // init
    auto* init = cli.add_subcommand(
        "init",
        "データディレクトリを作成して初期化 (設定、データベース、管理者 admin)\n"
        "Create a data directory: config, database and the first administrator 'admin'.\n"
        "The admin password comes from MAMORI_ADMIN_PASSWORD, or is generated and printed once.");
    fs::path init_dir;
    bool demo = false;
    std::string pg_url;
    init->add_option("--data", init_dir, "作成するディレクトリ / directory to create")->required();
    init->add_flag("--demo", demo,
                   "架空の市の組織と職員も作成 (パスワードは MAMORI_DEMO_PASSWORD、なければ生成) / "
                   "also create a fictional city; password from MAMORI_DEMO_PASSWORD or generated");
    fs::path init_policy;
    init->add_option("--policy", init_policy,
                     "読み込むポリシーカタログのフォルダ (省略時は平川市) / policy catalog folder; "
                     "the Hirakawa catalog when omitted");
    init->add_option("--database-url", pg_url,
                     "PostgreSQL を使う場合の接続 URL (省略時は SQLite) / PostgreSQL URL; "
                     "SQLite when omitted");

    // serve
    auto* serve = cli.add_subcommand(
        "serve",
        "HTTP サーバを起動 (SIGINT/SIGTERM で正常終了) / run the HTTP server (stops "
        "cleanly on SIGINT/SIGTERM)");
    fs::path serve_dir;
    std::string listen;
    serve->add_option("--data", serve_dir, "データディレクトリ / data directory")->required();
    serve->add_option("--listen", listen,
                      "待ち受け HOST:PORT (設定より優先、既定 127.0.0.1:8080) / HOST:PORT, "
                      "overrides the config");

    // check-config
    auto* check =
        cli.add_subcommand("check-config",
                           "設定ファイルを検査し、問題をキーと行番号付きですべて表示 / check the "
                           "config and report every problem with its key and line");
    fs::path check_dir;
    check->add_option("--data", check_dir, "データディレクトリ / data directory")->required();

    // backup / restore
    auto* backup = cli.add_subcommand(
        "backup",
        "稼働中でも一貫したバックアップ (.tar.gz) を作成 / write a consistent backup "
        "(.tar.gz) while the server runs");
    fs::path backup_dir, backup_to;
    backup->add_option("--data", backup_dir, "データディレクトリ / data directory")->required();
    backup->add_option("--to", backup_to, "作成するファイル / file to write")->required();

    auto* restore = cli.add_subcommand(
        "restore",
        "バックアップを新しいデータディレクトリへ復元 / restore a backup into a new "
        "data directory");
    fs::path restore_from, restore_dir;
    std::string restore_url;
    restore->add_option("--from", restore_from, "バックアップファイル / backup file")
        ->required()
        ->check(CLI::ExistingFile);
    restore->add_option("--data", restore_dir, "新しいデータディレクトリ / new data directory")
        ->required();
    restore->add_option("--database-url", restore_url,
                        "PostgreSQL の復元先 (空のデータベース) / PostgreSQL URL of the empty "
                        "database to restore into");

    auto run_admin = mamori::cli::AddAdminCommands(cli);
    auto run_policy = mamori::cli::AddPolicyCommands(cli);
    auto run_ledger = mamori::cli::AddLedgerCommands(cli);

    CLI11_PARSE(cli, argc, argv);
    mamori::InitLogging("info");

    if (int code = run_admin(); code >= 0) return code;
    if (int code = run_policy(); code >= 0) return code;
    if (int code = run_ledger(); code >= 0) return code;
    if (init->parsed()) {
        mamori::app::InitOptions o;
        o.data_dir = init_dir;
        o.demo = demo;
        o.policy_dir = init_policy;
        if (!pg_url.empty()) {
            o.database = mamori::DatabaseKind::kPostgresql;
            o.postgresql_url = pg_url;
        }
        if (const char* p = std::getenv("MAMORI_ADMIN_PASSWORD"); p && *p) o.admin_password = p;
        if (const char* p = std::getenv("MAMORI_DEMO_PASSWORD"); p && *p) o.demo_password = p;
        auto r = mamori::app::InitDataDir(o);
        if (!r) return Report(r.error());
        std::printf("mamori: %s を初期化しました / initialised %s\n", init_dir.c_str(),
                    init_dir.c_str());
        if (!r->admin_password.empty()) {
            std::printf(
                "管理者 / administrator: admin\n"
                "初期パスワード / initial password: %s\n"
                "(この表示は一度だけです。初回ログイン時に変更が求められます / shown only once; "
                "must be changed at first login)\n",
                r->admin_password.c_str());
        }
        std::printf("ポリシー / policy: 版 %s を読み込みました / loaded version %s\n",
                    r->policy_version.c_str(), r->policy_version.c_str());
        std::printf(
            "監査記録の公開鍵 (控えて公表してください) / ledger verifier key (keep and publish):\n"
            "%s\n",
            r->ledger_public_key.c_str());
        if (demo) {
            std::printf(
                "デモの市を作成しました。アカウントは docs/demo.md を参照 / demo city created; "
                "accounts in docs/demo.md\n");
            if (!r->demo_password.empty())
                std::printf("デモ用パスワード (全員共通) / demo password (all demo accounts): %s\n",
                            r->demo_password.c_str());
        }
        return 0;
    }
    if (serve->parsed()) {
        return mamori::app::Serve(
            serve_dir, listen.empty() ? std::nullopt : std::optional<std::string>(listen));
    }
    if (check->parsed()) {
        const fs::path file = check_dir / mamori::app::kConfigFile;
        auto report = mamori::ReadConfigFile(file);
        // Role names come from the roles catalog, which the config reader does not know.
        for (const auto& role : report.config.auth.mfa_required_roles)
            if (!mamori::org::RoleCatalog::Builtin().Find(role))
                report.problems.push_back({"auth.mfa_required_roles", 0, "unknown role " + role});
        if (report.problems.empty()) {
            std::printf("%s: 問題はありません / no problems found\n", file.c_str());
            return 0;
        }
        std::fputs(mamori::FormatProblems(file.string(), report.problems).c_str(), stderr);
        std::fprintf(stderr, "%zu 件の問題 / %zu problem(s)\n", report.problems.size(),
                     report.problems.size());
        return 1;
    }
    if (backup->parsed()) {
        auto r = mamori::app::Backup(backup_dir, backup_to);
        if (!r) return Report(r.error());
        std::printf("mamori: バックアップを作成しました / backup written: %s\n", backup_to.c_str());
        return 0;
    }
    if (restore->parsed()) {
        auto r = mamori::app::Restore(restore_from, restore_dir, restore_url);
        if (!r) return Report(r.error());
        std::printf("mamori: %s へ復元しました / restored into %s\n", restore_dir.c_str(),
                    restore_dir.c_str());
        return 0;
    }
    return 0;
}
