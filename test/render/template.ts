// template: placeholders of an admin's copy against the stock one, and finding the template line of a
// rendered line (to name an edit nginx rejects).
import t from 'tap'
import { checkTemplateCopy, findTemplateLine, listPlaceholders, renderTemplate } from '../../lib/render/template.js'

const stock = 'server {\n    listen {{PORT}};\n    server_name {{NAMES}};\n{{BODY}}}\n'

t.test('listPlaceholders: names and their first line', async (t) => {
  t.same([...listPlaceholders(stock)], [['PORT', 2], ['NAMES', 3], ['BODY', 4]])
})

t.test('checkTemplateCopy: anything may change but the placeholders', async (t) => {
  t.equal(checkTemplateCopy(stock.replace('server {', 'server {\n    add_header X-Mine yes;'), stock, 'repos/web/templates/nginx/app.conf'), undefined)
  t.equal(checkTemplateCopy(stock + '# {{NOPE}}\n', stock, 'f.conf'), 'f.conf:5: unknown placeholder {{NOPE}} (this template has {{PORT}}, {{NAMES}}, {{BODY}})')
  t.equal(checkTemplateCopy(stock.replace('{{BODY}}', ''), stock, 'f.conf'), 'f.conf: the placeholder {{BODY}} is missing (put it back, or hooks:reset the file)')
})

t.test('findTemplateLine: the rendered line back to its template line, edited templates first', async (t) => {
  const body = { file: 'repos/web/templates/nginx/server-body.conf', text: '    client_max_body_size {{MAX}};\n    add_headr X-Mine yes;\n{{LOCATIONS}}\n' }
  const app = { file: 'app.conf', text: stock }
  const rendered = renderTemplate(stock, { PORT: '80', NAMES: 'a.test b.test', BODY: renderTemplate(body.text, { MAX: '1m', LOCATIONS: '' }) })
  const lines = rendered.split('\n')
  const bad = lines.findIndex((l) => l.includes('add_headr'))
  t.same(findTemplateLine(lines[bad], [body, app]), { file: body.file, line: 2 })
  t.same(findTemplateLine('    server_name a.test b.test;', [body, app]), { file: 'app.conf', line: 3 }, 'a placeholder stands for any text')
  t.equal(findTemplateLine('    nothing like it;', [body, app]), undefined)
  t.equal(findTemplateLine('   ', [body, app]), undefined)
})

t.test('renderTemplate: every placeholder filled, values not re-expanded', async (t) => {
  t.equal(renderTemplate('a {{X}} b {{Y_2}} {{X}}', { X: '1', Y_2: '{{X}} $x' }), 'a 1 b {{X}} $x 1')
  t.equal(renderTemplate('no placeholders; {{lower}} {x}', {}), 'no placeholders; {{lower}} {x}', 'only UPPER_SNAKE names are placeholders')
})

t.test('renderTemplate: a missing or unused name is a bug', async (t) => {
  t.throws(() => renderTemplate('{{A}} {{B}}', { A: '1' }), /\{\{B\}\} has no value/)
  t.throws(() => renderTemplate('{{A}}', { A: '1', C: '2' }), /no placeholder \{\{C\}\}/)
})
