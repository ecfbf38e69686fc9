// Per-stage cost of encoding real WAL segments in one warm JVM, one thread: SHA-256 alone, zstd -1 (+SHA-256, as
// WalCodec does it), zstd + OpenPGP, and the JDK's AES-CFB / SHA-1 / AES-ECB over the compressed bytes. Run by
// codec-breakdown.sh (6 rounds of 40 segments; read the last rounds).
import dev.walstow.codec.*;
import java.io.*;
import java.nio.file.*;
import java.security.MessageDigest;
import java.util.*;
import javax.crypto.*;
import javax.crypto.spec.*;
public class CodecBreakdown {
  public static void main(String[] a) throws Exception {
    List<byte[]> segs = new ArrayList<>();
    File[] fs = new File(a[0]).listFiles((d,n)->n.matches("[0-9A-F]{24}"));
    Arrays.sort(fs);
    for (int i=0;i<40 && i<fs.length;i++) segs.add(Files.readAllBytes(fs[i].toPath()));
    long total=0; for (byte[] s: segs) total+=s.length;
    var pub = OpenPgpKeys.readRecipient(Path.of(a[1]));
    WalCodec none = new WalCodec(new CodecSettings(1, new Encryption.None()));
    WalCodec pgp = new WalCodec(new CodecSettings(1, new Encryption.PublicKey(pub, Optional.empty())));
    List<byte[]> comp = new ArrayList<>();
    for (int round=0; round<6; round++) {
      long t0=System.nanoTime();
      for (byte[] s: segs) { MessageDigest.getInstance("SHA-256").digest(s); }
      long t1=System.nanoTime();
      comp.clear();
      for (byte[] s: segs) { var o=new ByteArrayOutputStream(); none.encode(new ByteArrayInputStream(s), o); comp.add(o.toByteArray()); }
      long t2=System.nanoTime();
      for (byte[] s: segs) { var o=new ByteArrayOutputStream(); pgp.encode(new ByteArrayInputStream(s), o); }
      long t3=System.nanoTime();
      long ctot=0;
      Cipher c = Cipher.getInstance("AES/CFB/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(new byte[32],"AES"), new IvParameterSpec(new byte[16]));
      for (byte[] s: comp) { ctot+=s.length; c.update(s); }
      long t4=System.nanoTime();
      for (byte[] s: comp) { MessageDigest.getInstance("SHA-1").digest(s); }
      long t5=System.nanoTime();
      Cipher e = Cipher.getInstance("AES/ECB/NoPadding");
      e.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(new byte[32],"AES"));
      for (byte[] s: comp) { e.update(s,0,s.length/16*16); }
      long t6=System.nanoTime();
      System.out.printf("round %d: %d segs %.0f MB (comp %.0f MB): sha256 %.0f ms, zstd(+sha) %.0f ms, zstd+pgp %.0f ms, cfb(comp) %.0f ms, sha1(comp) %.0f ms, ecb(comp) %.0f ms%n",
        round, segs.size(), total/1e6, ctot/1e6, (t1-t0)/1e6,(t2-t1)/1e6,(t3-t2)/1e6,(t4-t3)/1e6,(t5-t4)/1e6,(t6-t5)/1e6);
    }
  }
}
