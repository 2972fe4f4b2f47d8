/// The pages' inline style sheet (no web fonts, no outside files).
enum PageStyle {
    static let css = """
        :root{--fg:#1d2330;--muted:#667085;--line:#e4e7ec;--bg:#f7f8fa;--card:#fff;--blue:#2f6fdf;--orange:#e8891c;--red:#d92d20;--green:#12b76a}
        *{box-sizing:border-box}
        body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
        header{display:flex;align-items:center;gap:12px;padding:14px 24px;background:#101828;color:#fff}
        header h1{font-size:20px;margin:0}header a{color:#b2ccff;text-decoration:none}
        main{max-width:1040px;margin:0 auto;padding:16px 24px}
        section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 18px;margin:0 0 16px}
        h2{font-size:16px;margin:0 0 8px}h3{font-size:14px;margin:12px 0 6px}
        .note{color:var(--muted);margin:0 0 8px;font-size:13px}
        dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;margin:0}
        dl.kv dt{color:var(--muted)}dl.kv dd{margin:0;font-variant-numeric:tabular-nums;word-break:break-all}
        .cols{display:grid;grid-template-columns:1fr 1fr;gap:16px}
        .badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;background:#eef2f6;color:#344054}
        .st-running{background:#d1e9ff;color:#175cd3}.st-finished{background:#d1fadf;color:#067647}
        .st-failed{background:#fee4e2;color:#b42318}.st-interrupted{background:#fef0c7;color:#b54708}
        .bar-progress{height:8px;background:#eef2f6;border-radius:4px;overflow:hidden;min-width:120px}
        .bar-progress span{display:block;height:100%;background:var(--blue)}
        svg.plot{display:block;max-width:100%;height:auto;font-size:11px}
        svg .grid{stroke:#eef0f3}svg .frame{fill:none;stroke:#98a2b3}svg .axis{stroke:#98a2b3}
        svg .lbl{fill:#475467}svg .title{fill:#1d2330;font-size:12px}svg .tick{font-size:10px}svg .fail{fill:var(--red)}
        svg .pt-c{fill:var(--blue);fill-opacity:.65}svg .pt-front{fill:var(--blue);fill-opacity:.9}svg .pt-dom{fill:var(--blue);fill-opacity:.18}svg .pt-inf{stroke:#98a2b3;stroke-width:1.3;fill:none}svg .pt-p{fill:none;stroke:var(--orange);stroke-width:1.3}
        svg .pt-f{stroke:var(--red);stroke-width:1.6}svg .best{fill:none;stroke:var(--green);stroke-width:2.2}
        svg .pc{fill:none;stroke-opacity:.55;stroke-width:1.2}svg .bar{fill:var(--blue)}
        svg .cv-c{fill:none;stroke:var(--blue);stroke-opacity:.6;stroke-width:1.3}svg .cv-p{fill:none;stroke:var(--orange);stroke-opacity:.7;stroke-width:1.2}
        svg .cv-f{fill:none;stroke:var(--red);stroke-opacity:.7;stroke-width:1.2}svg .stop{fill:#fff;stroke:var(--orange);stroke-width:1.6}
        svg .stop-tick{stroke:var(--orange);stroke-opacity:.35}
        .legend span{margin-right:14px}.legend i{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:4px;vertical-align:-1px}
        table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
        th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
        th:nth-child(-n+2),td:nth-child(-n+2){text-align:right}
        td.text,th.text{text-align:left}
        #intermediate td.text{white-space:normal}#experiments th{white-space:normal}
        thead th{position:sticky;top:0;background:#f2f4f7;cursor:pointer;user-select:none}
        th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}
        .scroll{max-height:560px;overflow:auto;border:1px solid var(--line);border-radius:6px}
        input[type=search]{width:100%;padding:6px 10px;border:1px solid #d0d5dd;border-radius:6px;margin:0 0 8px;font:inherit}
        pre{background:#f2f4f7;padding:10px;border-radius:6px;overflow:auto;font-size:12px}
        footer{color:var(--muted);text-align:center;font-size:12px;padding:8px 0 24px}
        """
}
