import PDFDocument from 'pdfkit';

export interface CertificateDetails {
  name: string;
  courseTitle: string;
  /** "18 March 2027" */
  date: string;
  durationText: string;
  organisation: string | null;
  reference: string;
}

/**
 * A certificate of attendance: one landscape A4 page, in the standard Helvetica that every PDF
 * reader carries (no font is embedded). Written with pdfkit, returned whole.
 */
export function certificatePdf(details: CertificateDetails, createdAt: Date): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: 72,
    info: {
      Title: `Certificate of attendance: ${details.courseTitle}`,
      Author: 'Ombudsman training',
      CreationDate: createdAt,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const width = doc.page.width - 144;
  doc
    .rect(36, 36, doc.page.width - 72, doc.page.height - 72)
    .lineWidth(2)
    .stroke('#1d70b8');
  doc.moveDown(2);
  doc
    .font('Helvetica-Bold')
    .fontSize(30)
    .fillColor('#0b0c0c')
    .text('Certificate of attendance', { align: 'center', width });
  doc.moveDown(1.5);
  doc.font('Helvetica').fontSize(16).text('This is to certify that', { align: 'center', width });
  doc.moveDown(0.5);
  doc.font('Helvetica-Bold').fontSize(26).text(details.name, { align: 'center', width });
  if (details.organisation) {
    doc.moveDown(0.3);
    doc.font('Helvetica').fontSize(14).text(details.organisation, { align: 'center', width });
  }
  doc.moveDown(1);
  doc.font('Helvetica').fontSize(16).text('attended', { align: 'center', width });
  doc.moveDown(0.5);
  doc.font('Helvetica-Bold').fontSize(22).text(details.courseTitle, { align: 'center', width });
  doc.moveDown(0.5);
  const when = details.durationText ? `${details.date} (${details.durationText})` : details.date;
  doc.font('Helvetica').fontSize(16).text(`on ${when}`, { align: 'center', width });
  doc.moveDown(3);
  doc.fontSize(10).fillColor('#505a5f').text(`Certificate reference ${details.reference}`, { align: 'center', width });
  doc.end();
  return done;
}
