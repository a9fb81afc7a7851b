#include "incidents/report.h"

#include <fmt/format.h>

#include "core/clock.h"
#include "core/text.h"

namespace mamori::incidents {

namespace {

using core::EscapeHtml;

// "2026-11-27 12:04" in Japan time, from an RFC 3339 time; the text as it is otherwise.
std::string Jst(const std::string& rfc3339) {
    auto t = ParseTimestamp(rfc3339);
    if (!t) return rfc3339;
    const std::string s = FormatRfc3339(*t + std::chrono::hours(9));
    return s.substr(0, 10) + " " + s.substr(11, 5);
}

std::string YesNo(bool b) { return b ? "あり" : "なし"; }

std::string KindName(const std::string& key) {
    for (const auto& k : EntryKinds())
        if (k.key == key) return std::string(k.name);
    return key;
}

std::string DeadlineText(const DeadlineView& d) {
    if (d.done) return "報告済み (" + d.reported_on + ")";
    switch (d.deadline.state) {
        case incidents::DeadlineState::kOverdue:
            return fmt::format("期限超過 ({} 日)", -d.deadline.days_left);
        case incidents::DeadlineState::kDueToday:
            return "本日が期限";
        case incidents::DeadlineState::kDueSoon:
            return fmt::format("期限まであと {} 日", d.deadline.days_left);
        case incidents::DeadlineState::kUpcoming:
            return fmt::format("あと {} 日", d.deadline.days_left);
    }
    return "";
}

std::string Names(const Incident& i, const std::vector<std::string>& ids) {
    std::string out;
    for (const auto& id : ids) {
        if (!out.empty()) out += "、";
        const auto* n = i.names.if_contains(id);
        out += n && n->is_string() ? std::string(n->as_string()) : id;
    }
    return out;
}

// The facts of the incident as (label, value) rows, shared by both formats.
std::vector<std::pair<std::string, std::string>> Facts(const Incident& i) {
    std::vector<std::pair<std::string, std::string>> f = {
        {"番号", i.number},
        {"件名", i.title},
        {"状態", std::string(StateName(i.state))},
        {"分類", i.category_name},
        {"重大度", i.severity_name.empty() ? "未判定" : i.severity_name},
        {"発見日時", Jst(i.discovered_at)},
        {"発生日時", i.occurred_at.empty() ? "" : Jst(i.occurred_at)},
        {"部署", i.unit_name},
        {"報告者", i.reporter_name},
    };
    if (i.outside_reporter)
        f.push_back({"外部からの報告者",
                     fmt::format("{} {} {}", i.outside_reporter->name,
                                 i.outside_reporter->organisation, i.outside_reporter->contact)});
    f.insert(f.end(), {{"担当者", i.handler_name},
                       {"個人情報", YesNo(i.personal_information)},
                       {"特定個人情報", YesNo(i.specific_personal_information)},
                       {"不正の目的のおそれ", YesNo(i.malicious)},
                       {"情報システム", Names(i, i.system_ids)},
                       {"情報資産", Names(i, i.asset_ids)},
                       {"対策基準の項目", Names(i, i.control_refs)},
                       {"起きたこと", i.description},
                       {"影響の見込み", i.scope_estimate},
                       {"封じ込めの内容", i.containment},
                       {"原因", i.cause},
                       {"再発防止策", i.recurrence_prevention},
                       {"関連する例外措置",
                        i.exception_request_id.empty() ? "" : Names(i, {i.exception_request_id})},
                       {"ポリシー見直しへの申し送り", i.review_note},
                       {"完了日時", i.closed_at.empty() ? "" : Jst(i.closed_at)}});
    return f;
}

std::string Paragraphs(const std::string& text) {
    std::string out = EscapeHtml(text);
    std::string with_breaks;
    for (char c : out) {
        if (c == '\n')
            with_breaks += "<br>";
        else if (c != '\r')
            with_breaks += c;
    }
    return with_breaks;
}

}  // namespace

std::string ReportHtml(const ReportInput& in) {
    const Incident& i = in.incident;
    std::string h;
    h += "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">";
    h += fmt::format("<title>インシデント報告書 {}</title>", EscapeHtml(i.number));
    h += "<style>"
         "@page{size:A4;margin:15mm}"
         "body{font-family:'Noto Sans JP','Hiragino Sans','Yu Gothic',sans-serif;font-size:10.5pt;"
         "color:#111;max-width:180mm;margin:0 auto}"
         "h1{font-size:16pt;margin:0 0 4mm}h2{font-size:12pt;margin:6mm 0 2mm;"
         "border-bottom:1px solid #444}"
         "table{border-collapse:collapse;width:100%}th,td{border:1px solid #888;padding:1.5mm 2mm;"
         "vertical-align:top;text-align:left}th{background:#eee;width:32mm;font-weight:normal}"
         ".meta{color:#444;font-size:9pt}tr{page-break-inside:avoid}"
         "</style></head><body>\n";
    h += "<h1>情報セキュリティインシデント報告書</h1>\n";
    h += fmt::format("<p class=\"meta\">作成日 {} ・ 作成者 {} ・ ポリシー版 {}</p>\n",
                     EscapeHtml(in.today), EscapeHtml(in.made_by), EscapeHtml(i.catalog_version));
    h += "<h2>概要</h2>\n<table>\n";
    for (const auto& [label, value] : Facts(i))
        h += fmt::format("<tr><th scope=\"row\">{}</th><td>{}</td></tr>\n", EscapeHtml(label),
                         Paragraphs(value));
    h += "</table>\n";
    if (!i.deadlines.empty()) {
        h += "<h2>外部への報告の期限</h2>\n<table><tr><th scope=\"col\">報告</th><th "
             "scope=\"col\">報告先</th><th scope=\"col\">期限</th><th "
             "scope=\"col\">状況</th></tr>\n";
        for (const auto& d : i.deadlines)
            h += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                             EscapeHtml(d.deadline.name), EscapeHtml(d.deadline.to),
                             EscapeHtml(d.deadline.due_on), EscapeHtml(DeadlineText(d)));
        h += "</table>\n";
    }
    h += "<h2>通知</h2>\n<table><tr><th scope=\"col\">通知先</th><th scope=\"col\">役割</th><th "
         "scope=\"col\">通知日時</th><th scope=\"col\">確認日時</th></tr>\n";
    for (const auto& n : in.notifications)
        h += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                         EscapeHtml(n.person_name), EscapeHtml(n.role_name), Jst(n.sent_at),
                         n.opened_at.empty() ? "未確認" : Jst(n.opened_at));
    h += "</table>\n<h2>経過 (タイムライン)</h2>\n<table><tr><th scope=\"col\">日時</th><th "
         "scope=\"col\">種類</th><th scope=\"col\">記録者</th><th scope=\"col\">内容</th></tr>\n";
    for (const auto& e : in.timeline) {
        std::string text = Paragraphs(e.text);
        if (!e.outside_body.empty())
            text = fmt::format("報告先: {} ({})<br>{}", EscapeHtml(e.outside_body),
                               EscapeHtml(e.reported_on), text);
        if (e.corrects) text = fmt::format("記録 {} の訂正<br>{}", e.corrects, text);
        for (const auto& f : e.attachments)
            text += fmt::format("<br>添付: {} (SHA-256 {})", EscapeHtml(f.filename),
                                EscapeHtml(f.sha256));
        h += fmt::format("<tr><td>{}. {}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", e.seq,
                         Jst(e.at), EscapeHtml(KindName(e.kind)), EscapeHtml(e.author_name), text);
    }
    h += "</table>\n</body></html>\n";
    return h;
}

Result<sheets::File> ReportXlsx(const ReportInput& in) {
    const Incident& i = in.incident;
    sheets::Sheet facts{"概要", {"項目", "内容"}, {}, {28, 80}};
    for (const auto& [label, value] : Facts(i)) facts.rows.push_back({label, value});
    for (const auto& d : i.deadlines)
        facts.rows.push_back({d.deadline.name, fmt::format("{} まで ({}) {}", d.deadline.due_on,
                                                           d.deadline.to, DeadlineText(d))});
    sheets::Sheet timeline{
        "タイムライン",
        {"番号", "日時", "種類", "記録者", "内容", "報告先", "報告日", "訂正する記録", "添付"},
        {},
        {}};
    for (const auto& e : in.timeline) {
        std::string files;
        for (const auto& f : e.attachments)
            files += (files.empty() ? "" : "\n") + f.filename + " (SHA-256 " + f.sha256 + ")";
        timeline.rows.push_back({std::to_string(e.seq), Jst(e.at), KindName(e.kind), e.author_name,
                                 e.text, e.outside_body, e.reported_on,
                                 e.corrects ? std::to_string(e.corrects) : "", files});
    }
    sheets::Sheet notified{
        "通知", {"通知先", "役割", "理由", "通知日時", "メール", "確認日時"}, {}, {}};
    for (const auto& n : in.notifications)
        notified.rows.push_back({n.person_name, n.role_name,
                                 n.reason == "escalated"  ? "重大度による報告"
                                 : n.reason == "assigned" ? "担当の割り当て"
                                                          : "発生の報告",
                                 Jst(n.sent_at), n.email,
                                 n.opened_at.empty() ? "未確認" : Jst(n.opened_at)});
    return sheets::MakeFile(sheets::Format::kXlsx, "incident-" + i.number,
                            {facts, timeline, notified}, in.today);
}

}  // namespace mamori::incidents
