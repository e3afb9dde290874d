// template: {{UPPER_SNAKE}} placeholders, filled as they are; a missing or unused name throws.
import t from 'tap'
import { renderTemplate } from '../../lib/render/template.js'

t.test('renderTemplate: every placeholder filled, values not re-expanded', async (t) => {
  t.equal(renderTemplate('a {{X}} b {{Y_2}} {{X}}', { X: '1', Y_2: '{{X}} $x' }), 'a 1 b {{X}} $x 1')
  t.equal(renderTemplate('no placeholders; {{lower}} {x}', {}), 'no placeholders; {{lower}} {x}', 'only UPPER_SNAKE names are placeholders')
})

t.test('renderTemplate: a missing or unused name is a bug', async (t) => {
  t.throws(() => renderTemplate('{{A}} {{B}}', { A: '1' }), /\{\{B\}\} has no value/)
  t.throws(() => renderTemplate('{{A}}', { A: '1', C: '2' }), /no placeholder \{\{C\}\}/)
})
