import PDFDocument from 'pdfkit';
import type { LetterBlock } from './letter-template.ts';

/**
 * An annual review letter as an accessible PDF: a tagged document (PDF/UA structure: headings,
 * paragraphs, lists and tables with header cells) in the standard Helvetica, its title shown as the
 * window title, in British English. Real text throughout, never an image. Written with pdfkit.
 */
export function letterPdf(title: string, blocks: readonly LetterBlock[], createdAt: Date): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 64,
    pdfVersion: '1.7',
    tagged: true,
    lang: 'en-GB',
    displayTitle: true,
    info: { Title: title, Author: 'The Ombudsman', CreationDate: createdAt },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const left = doc.page.margins.left;
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  const document = doc.struct('Document');
  doc.addStructure(document);

  for (const block of blocks) {
    if (block.kind === 'heading') {
      const size = block.level === 1 ? 20 : block.level === 2 ? 15 : 12;
      document.add(
        doc.struct(`H${Math.min(block.level, 6)}`, {}, () => {
          doc.font('Helvetica-Bold').fontSize(size).fillColor('#0b0c0c').text(block.text, left, doc.y, { width });
        }),
      );
      doc.moveDown(0.4);
    } else if (block.kind === 'paragraph') {
      document.add(
        doc.struct('P', {}, () => {
          doc.font('Helvetica').fontSize(11).fillColor('#0b0c0c').text(block.text, left, doc.y, { width, lineGap: 2 });
        }),
      );
      doc.moveDown(0.6);
    } else if (block.kind === 'list') {
      const list = doc.struct('L');
      document.add(list);
      for (const item of block.items) {
        list.add(
          doc.struct('LI', {}, [
            doc.struct('Lbl', {}, () => {
              doc
                .font('Helvetica')
                .fontSize(11)
                .text('•', left + 6, doc.y, { width: 12, continued: false });
              doc.moveUp();
            }),
            doc.struct('LBody', {}, () => {
              doc
                .font('Helvetica')
                .fontSize(11)
                .text(item, left + 20, doc.y, { width: width - 20, lineGap: 2 });
            }),
          ]),
        );
        doc.moveDown(0.2);
      }
      list.end();
      doc.moveDown(0.5);
    } else {
      const columns = block.header.length;
      const columnWidth = width / Math.max(columns, 1);
      const table = doc.struct('Table');
      document.add(table);
      const drawRow = (cells: readonly string[], header: boolean) => {
        doc.font(header ? 'Helvetica-Bold' : 'Helvetica').fontSize(10.5);
        const heights = cells.map((c) => doc.heightOfString(c, { width: columnWidth - 12 }));
        const rowHeight = Math.max(...heights, 12) + 10;
        if (doc.y + rowHeight > doc.page.height - doc.page.margins.bottom) doc.addPage();
        const top = doc.y;
        const row = doc.struct('TR');
        table.add(row);
        cells.forEach((text, i) => {
          row.add(
            doc.struct(header ? 'TH' : 'TD', {}, () => {
              doc.text(text, left + i * columnWidth + 6, top + 5, {
                width: columnWidth - 12,
                align: block.numeric[i] ? 'right' : 'left',
              });
            }),
          );
        });
        row.end();
        doc.y = top + rowHeight;
        doc.x = left;
        doc.markContent('Artifact', { type: 'Layout' });
        doc
          .moveTo(left, doc.y)
          .lineTo(left + width, doc.y)
          .lineWidth(header ? 1.5 : 0.5)
          .strokeColor('#b1b4b6')
          .stroke();
        doc.endMarkedContent();
      };
      drawRow(block.header, true);
      for (const r of block.rows) drawRow(r, false);
      table.end();
      doc.moveDown(0.8);
    }
  }
  document.end();
  doc.end();
  return done;
}
