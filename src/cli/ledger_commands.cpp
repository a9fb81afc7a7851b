#include "cli/ledger_commands.h"

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "app/app.h"
#include "cli/admin_commands.h"
#include "core/clock.h"
#include "ledger/encoding.h"
#include "ledger/ledger_service.h"
#include "ledger/note.h"

namespace fs = std::filesystem;

namespace mamori::cli {

namespace {

struct Options {
    fs::path data;
    std::string key;  // verifier key text, or a file holding it
    fs::path file;
    std::uint64_t index = 0, size = 0, first = 0, second = 0;
};

std::string Slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

int WithLedger(const Options& o, const std::function<int(ledger::LedgerService&)>& fn) {
    return WithDatabase(o.data, [&](store::Database& db, const Config& config, const Context&) {
        auto key = ledger::LoadKey(config.data_dir);
        if (!key) return Report(key.error());
        SystemClock clock;
        ledger::LedgerService service(db, clock, std::move(*key), {});
        return fn(service);
    });
}

// The notes of a file: one checkpoint, or an external checkpoint log where each note ends
// with its signature lines and a blank line.
std::vector<std::string> SplitNotes(const std::string& text) {
    std::vector<std::string> notes;
    std::string current;
    bool in_signatures = false;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (in_signatures && line.empty()) {
            notes.push_back(current);
            current.clear();
            in_signatures = false;
            continue;
        }
        current += line + "\n";
        if (line.rfind("\u2014 ", 0) == 0) in_signatures = true;
    }
    if (!current.empty()) notes.push_back(current);
    return notes;
}

int VerifyCheckpointFile(const Options& o) {
    std::string key_text = o.key;
    if (fs::is_regular_file(o.key)) key_text = Slurp(o.key);
    while (!key_text.empty() && (key_text.back() == '\n' || key_text.back() == '\r'))
        key_text.pop_back();
    auto verifier = ledger::Verifier::Parse(key_text);
    if (!verifier) return Report(verifier.error());
    const std::vector<ledger::Verifier> known{*verifier};
    const auto notes = SplitNotes(Slurp(o.file));
    if (notes.empty()) return Report(Error::Invalid("invalid_checkpoint", "no checkpoint in file"));
    int bad = 0;
    for (const auto& note : notes) {
        auto text = ledger::Open(note, known);
        auto cp = text ? ledger::ParseCheckpoint(*text)
                       : Result<ledger::Checkpoint>(mamori::Fail(text.error()));
        if (!cp) {
            std::fprintf(stderr, "NG: %s\n", cp.error().message.c_str());
            ++bad;
            continue;
        }
        std::printf("OK: %s size %llu root %s\n", cp->origin.c_str(),
                    static_cast<unsigned long long>(cp->size),
                    ledger::HashToBase64(cp->root).c_str());
    }
    return bad == 0 ? 0 : 1;
}

void PrintProof(const std::vector<ledger::Hash>& hashes) {
    for (const auto& h : hashes) std::printf("%s\n", ledger::HashToBase64(h).c_str());
}

}  // namespace

std::function<int()> AddLedgerCommands(CLI::App& app) {
    auto o = std::make_shared<Options>();
    auto* ledger = app.add_subcommand(
        "ledger", "監査記録の改ざん検知 (台帳) / the tamper-evident ledger of audit events");
    ledger->require_subcommand(1);

    auto* verify = ledger->add_subcommand(
        "verify",
        "保存された監査記録から台帳全体を計算し直し、節点とチェックポイントを確かめる / "
        "recompute the whole tree from the stored events and check every node and checkpoint");
    verify->add_option("--data", o->data, "データディレクトリ / data directory")->required();

    auto* verify_cp = ledger->add_subcommand(
        "verify-checkpoint",
        "チェックポイントのファイルを公開鍵で確かめる (オフライン) / check a checkpoint file "
        "offline with a verifier key");
    verify_cp
        ->add_option("--key", o->key,
                     "公開鍵 (name+id+key) またはそのファイル / verifier key or file")
        ->required();
    verify_cp->add_option("file", o->file, "チェックポイントのファイル / checkpoint file")
        ->required()
        ->check(CLI::ExistingFile);

    auto* prove =
        ledger->add_subcommand("prove", "証明を表示 / print a proof (base64, one per line)");
    prove->require_subcommand(1);
    auto* inclusion = prove->add_subcommand("inclusion", "包含証明 / inclusion proof");
    inclusion->add_option("--data", o->data, "データディレクトリ / data directory")->required();
    inclusion->add_option("--index", o->index, "葉の番号 (記録の番号 - 1) / leaf index")
        ->required();
    inclusion->add_option("--size", o->size,
                          "木の大きさ (省略時は現在) / tree size; current when omitted");
    auto* consistency = prove->add_subcommand("consistency", "一貫性証明 / consistency proof");
    consistency->add_option("--data", o->data, "データディレクトリ / data directory")->required();
    consistency->add_option("--first", o->first, "古い木の大きさ / first size")->required();
    consistency->add_option("--second", o->second, "新しい木の大きさ / second size")->required();

    auto* public_key =
        ledger->add_subcommand("public-key", "公開鍵を表示 / print the verifier key");
    public_key->add_option("--data", o->data, "データディレクトリ / data directory")->required();

    return [=]() -> int {
        if (verify->parsed())
            return WithLedger(*o, [](ledger::LedgerService& s) {
                auto r = s.Verify(true);
                if (!r) return Report(r.error());
                if (r->ok) {
                    std::printf("OK: %s\nsize %llu root %s\n", r->message.c_str(),
                                static_cast<unsigned long long>(r->tree_size),
                                ledger::HashToBase64(r->root).c_str());
                    return 0;
                }
                std::fprintf(stderr, "NG: index %llu: %s\n",
                             static_cast<unsigned long long>(*r->first_bad_index),
                             r->message.c_str());
                return 1;
            });
        if (verify_cp->parsed()) return VerifyCheckpointFile(*o);
        if (inclusion->parsed())
            return WithLedger(*o, [&](ledger::LedgerService& s) {
                std::uint64_t size = o->size;
                if (size == 0) {
                    auto current = s.Size();
                    if (!current) return Report(current.error());
                    size = *current;
                }
                auto p = s.Inclusion(o->index, size);
                if (!p) return Report(p.error());
                PrintProof(*p);
                return 0;
            });
        if (consistency->parsed())
            return WithLedger(*o, [&](ledger::LedgerService& s) {
                auto p = s.Consistency(o->first, o->second);
                if (!p) return Report(p.error());
                PrintProof(*p);
                return 0;
            });
        if (public_key->parsed())
            return WithLedger(*o, [](ledger::LedgerService& s) {
                std::printf("%s\n", s.verifier().Format().c_str());
                return 0;
            });
        return -1;
    };
}

}  // namespace mamori::cli
