// The OWL 2 DL check of tests/test_ontology.py: load one ontology document (the dakg ontology
// with the data), run the OWL API's OWL 2 DL profile checker on it, then HermiT (a DL reasoner)
// for consistency and unsatisfiable classes. One line per finding, tab-separated:
//   violation <text>  |  consistent true|false  |  unsatisfiable <class IRI>
// Compiled and run against the HermiT.jar that owlready2 ships (it bundles the OWL API).
import java.io.File;
import org.semanticweb.HermiT.Reasoner;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLClass;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.semanticweb.owlapi.reasoner.OWLReasoner;

public class OwlCheck {
    public static void main(String[] args) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
        for (OWLProfileViolation v : new OWL2DLProfile().checkOntology(ontology).getViolations()) {
            System.out.println("violation\t" + v.toString().replace('\n', ' '));
        }
        OWLReasoner reasoner = new Reasoner.ReasonerFactory().createReasoner(ontology);
        boolean consistent = reasoner.isConsistent();
        System.out.println("consistent\t" + consistent);
        if (consistent) {
            for (OWLClass c : reasoner.getUnsatisfiableClasses().getEntitiesMinusBottom()) {
                System.out.println("unsatisfiable\t" + c.getIRI());
            }
        }
    }
}
