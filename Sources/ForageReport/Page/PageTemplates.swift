import Mustache

/// The Mustache templates of the pages: one skeleton (`page`) around a body partial (`report` for an experiment,
/// `index` for the dashboard's experiment list). The dashboard serves the body partial alone for live refresh.
enum PageTemplates {
    static let page = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}}</title>
        <link rel="icon" href="data:,">
        <style>{{{css}}}</style>
        </head>
        <body{{#poll}} data-poll="{{poll}}" data-fragment="{{fragment}}" data-version="{{bodyVersion}}"{{/poll}}>
        <header>{{#home}}<a href="{{home}}">← experiments</a>{{/home}}<h1>{{title}}</h1>{{#poll}}<span class="badge" title="this page refreshes while the search runs">live</span>{{/poll}}</header>
        <main id="report">{{{body}}}</main>
        <footer>Forage {{version}} · generated {{generatedAt}} · {{#poll}}read-only dashboard: refreshes while a search runs{{/poll}}{{^poll}}one self-contained file: inline styles, plots and script, no network requests{{/poll}}</footer>
        <script>{{{js}}}</script>
        </body>
        </html>
        """

    static let report = """
        <section id="summary">
        <h2>Summary <span class="badge st-{{state}}">{{state}}</span></h2>
        <div class="cols">
        <dl class="kv">{{#summary}}<dt>{{key}}</dt><dd>{{value}}</dd>{{/summary}}</dl>
        <div><h3 style="margin-top:0">Lineage</h3><dl class="kv">{{#lineage}}<dt>{{key}}</dt><dd>{{value}}</dd>{{/lineage}}</dl></div>
        </div>
        {{#best}}<h3>Best trial: #{{number}} · {{value}}</h3><p class="note">{{params}}</p>{{/best}}
        <details><summary>Spec as given</summary><pre>{{spec}}</pre></details>
        </section>
        {{#pareto}}
        <section id="pareto">
        <h2>Pareto front</h2>
        <p class="note legend"><span><i style="background:#2f6fdf"></i>front 1 (non-dominated)</span><span><i style="background:#2f6fdf;opacity:.2"></i>dominated</span><span style="color:#98a2b3">✕ infeasible</span> {{note}}</p>
        {{{frontSVG}}}
        <h3>Hypervolume over trials</h3>
        <p class="note">The hypervolume of the front of the trials so far, against the reference point {{reference}} (per objective: the worst feasible value plus a tenth of the feasible range).</p>
        {{{hypervolumeSVG}}}
        </section>
        {{/pareto}}
        <section id="history">
        <h2>Optimization history</h2>
        <p class="note legend"><span><i style="background:#2f6fdf"></i>completed</span><span><i style="border:1.5px solid #e8891c"></i>pruned (last value)</span><span style="color:#d92d20">✕ failed</span><span><i style="background:#12b76a;border-radius:0;height:3px"></i>best so far</span>{{historyNote}}</p>
        {{{historySVG}}}
        </section>
        <section id="parallel">
        <h2>Parallel coordinates</h2>
        <p class="note">Completed trials across their parameters and the objective, coloured by value (brighter is better). {{parallelNote}}</p>
        {{{parallelSVG}}}
        </section>
        <section id="importance">
        <h2>Parameter importance</h2>
        <p class="note"><b>Method:</b> {{importanceMethod}} {{importanceNote}}</p>
        {{{importanceSVG}}}
        </section>
        <section id="intermediate">
        <h2>Intermediate values</h2>
        <p class="note legend"><span><i style="background:#2f6fdf"></i>completed</span><span><i style="background:#e8891c"></i>pruned (○ where it was stopped)</span><span><i style="background:#d92d20"></i>failed</span>{{curvesNote}}</p>
        {{{curvesSVG}}}
        {{#hasStops}}<h3>Why pruned trials stopped</h3>
        <div class="scroll" style="max-height:240px"><table><thead><tr><th>trial</th><th>last step</th><th class="text">scheduler decision</th></tr></thead><tbody>
        {{#stops}}<tr><td>{{number}}</td><td>{{step}}</td><td class="text">{{reason}}</td></tr>{{/stops}}
        </tbody></table></div>{{/hasStops}}
        </section>
        <section id="leaderboard">
        <h2>Leaderboard</h2>
        <p class="note">{{tableNote}}{{rankNote}} Click a column to sort; filter with words or conditions such as <code>{{filterExample}}</code> (<span id="shown">{{rowCount}}</span> rows shown).</p>
        <input id="filter" type="search" placeholder="filter rows…" aria-label="filter rows">
        <div class="scroll"><table id="lb"><thead><tr>{{#columns}}<th data-type="{{type}}"{{#text}} class="text"{{/text}}>{{name}}</th>{{/columns}}</tr></thead><tbody>
        {{#rows}}<tr>{{#cells}}<td data-v="{{sort}}"{{#text}} class="text"{{/text}}>{{shown}}</td>{{/cells}}</tr>
        {{/rows}}</tbody></table></div>
        </section>
        """

    static let index = """
        <section id="experiments">
        <h2>Experiments</h2>
        {{^experiments}}<p class="note">No experiments in this store yet.</p>{{/experiments}}
        {{#hasExperiments}}<table><thead><tr><th class="text">name</th><th class="text">state</th><th class="text">progress</th><th>finished / budget</th><th>completed</th><th>pruned</th><th>failed</th><th>running</th><th>best</th><th class="text">objective</th></tr></thead><tbody>
        {{#experiments}}<tr><td class="text"><a href="{{link}}">{{name}}</a></td><td class="text"><span class="badge st-{{state}}">{{state}}</span></td><td class="text"><div class="bar-progress"><span style="width:{{percent}}%"></span></div></td><td>{{finished}} / {{budget}}</td><td>{{completed}}</td><td>{{pruned}}</td><td>{{failed}}</td><td>{{running}}</td><td>{{best}}</td><td class="text">{{objective}}</td></tr>
        {{/experiments}}</tbody></table>{{/hasExperiments}}
        </section>
        """

    /// The compiled templates; they are constants, so a failure to compile is a programming error caught by tests.
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in [("page", page), ("report", report), ("index", index)] {
            if let template = try? MustacheTemplate(string: text) { library.register(template, named: name) }
        }
        return library
    }()

    /// Renders a registered template, or an empty string if it failed to compile.
    static func render(_ name: String, _ context: [String: Any]) -> String {
        library.render(context, withTemplate: name) ?? ""
    }
}
